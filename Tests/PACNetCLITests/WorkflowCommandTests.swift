import Foundation
import Testing

/// The bring-your-own-data commands end to end through the `pacnet` binary, on tiny CSVs.
struct WorkflowCommandTests {
    static let sourceCSV = regressionCSV(rows: 100)
    /// A related target task: shifted inputs, other offset and scale.
    static let targetCSV = regressionCSV(rows: 30, phase: 0.7, offset: 0.5, scale: -0.8)

    @Test func stepByStepWalkthrough() throws {
        try Scratch.with { scratch in
            let source = try scratch.write("source.csv", Self.sourceCSV)
            let target = try scratch.write("target.csv", Self.targetCSV)
            let (trained, pruned, allocated, calibrated) =
                (scratch.path("trained.safetensors"), scratch.path("pruned.safetensors"),
                 scratch.path("allocated.safetensors"), scratch.path("calibrated.safetensors"))

            let train = try jsonSummary(try ProcessTests.run([
                "train", "--data", source, "--targets", "y", "--arch", "mlp:3-8-1:tanh", "--epochs", "5", "--batch-size", "16",
                "--learning-rate", "0.01", "--validation", "0.2", "--standardize", "--out", trained, "--json", "--quiet",
            ]))
            #expect(train.text("command") == "train")
            #expect(train.text("model") == trained)
            #expect(train.text("architecture") == "mlp:3-8-1:tanh")
            #expect(train.text("loss") == "mse")
            // 100 rows with --validation 0.2: 80 trained on, 20 held out.
            #expect(train.number("rows") == 80)
            #expect(train.number("validation_rows") == 20)
            #expect(train.number("epochs") == 5)
            #expect((train.number("train_rmse") ?? -1) > 0)
            #expect((train.number("validation_rmse") ?? -1) > 0, "--validation 0.2 reports a validation score: \(train)")

            let prune = try jsonSummary(try ProcessTests.run(["prune", "--model", trained, "--ratio", "0.5", "--out", pruned, "--json"]))
            #expect(prune.text("command") == "prune")
            #expect(prune.number("kept") == 16 && prune.number("pruned") == 16, "\(prune)")

            // Columns default to the model's.
            let allocate = try jsonSummary(try ProcessTests.run([
                "allocate", "--model", pruned, "--data", source, "--epochs", "3", "--batch-size", "16", "--out", allocated,
                "--json", "--quiet",
            ]))
            #expect(allocate.number("rows") == 100)
            let allocatedRMSE = try #require(allocate.number("source_rmse"))
            #expect(allocate["validation_rmse"] is NSNull)

            let calibrate = try jsonSummary(try ProcessTests.run([
                "calibrate", "--model", allocated, "--data", target, "--epochs", "5", "--lambda", "0.01", "--out", calibrated,
                "--json", "--quiet",
            ]))
            #expect(calibrate.number("rows") == 30)
            #expect(calibrate.number("lambda") == 0.01)
            let targetRMSE = try #require(calibrate.number("target_rmse"))

            // The calibrated file's source network is the allocated one: the same score to the last bit.
            let sourceScore = try jsonSummary(try ProcessTests.run([
                "evaluate", "--model", calibrated, "--data", source, "--task", "source", "--json",
            ]))
            #expect(sourceScore.text("task") == "source")
            #expect(sourceScore.number("rows") == 100)
            #expect(sourceScore.number("rmse") == allocatedRMSE)
            let targetScore = try jsonSummary(try ProcessTests.run([
                "evaluate", "--model", calibrated, "--data", target, "--task", "target", "--json",
            ]))
            #expect(targetScore.text("task") == "target")
            #expect(targetScore.number("rmse") == targetRMSE)
            // The default task of a calibrated model is the target.
            let defaultTask = try ProcessTests.run(["evaluate", "--model", calibrated, "--data", target])
            #expect(defaultTask.status == 0 && defaultTask.stdout.contains("task: target\n"), "\(defaultTask.stdout)")

            let predictions = scratch.path("pred.csv")
            let predict = try jsonSummary(try ProcessTests.run([
                "predict", "--model", calibrated, "--data", target, "--task", "target", "--out", predictions, "--json",
            ]))
            #expect(predict.number("rows") == 30)
            let lines = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 32 && lines.last == "", "30 rows, a header and a final newline")
            #expect(lines.first == "y")
            #expect(lines.dropFirst().dropLast().allSatisfy { Double($0)?.isFinite == true })

            let info = try jsonSummary(try ProcessTests.run(["info", "--model", calibrated, "--json"]))
            #expect(info.text("stage") == "calibrated")
            #expect(info.text("tasks") == "source,target")
            #expect(info.text("architecture") == "mlp:3-8-1:tanh")
            #expect(info.text("standardized") == "yes")
            #expect(info.text("features") == "x1,x2,x3")
            #expect(info.text("targets") == "y")
            #expect(info.number("ratio") == 0.5)
            #expect(info.text("layers.0.weight")?.contains("mask keeps") == true, "\(info)")

            // The source-only stages refuse the target task.
            let early = try ProcessTests.run(["evaluate", "--model", allocated, "--data", target, "--task", "target"])
            #expect(early.status != 0)
            #expect(early.stderr.hasPrefix("Error: this model is at stage 'allocated'"), "\(early.stderr)")
        }
    }

    @Test func transferInOneGo() throws {
        try Scratch.with { scratch in
            let source = try scratch.write("source.csv", Self.sourceCSV)
            let target = try scratch.write("target.csv", Self.targetCSV)
            let model = scratch.path("model.safetensors")
            let stages = scratch.path("stages")
            let transfer = try jsonSummary(try ProcessTests.run([
                "transfer", "--source", source, "--target", target, "--targets", "y", "--arch", "mlp:3-8-1:tanh",
                "--standardize", "--source-epochs", "4", "--allocate-epochs", "2", "--target-epochs", "4", "--batch-size", "16",
                "--learning-rate", "0.01", "--ratio", "0.5", "--save-stages", stages, "--out", model, "--json", "--quiet",
            ]))
            #expect(transfer.text("command") == "transfer")
            #expect(transfer.number("source_rows") == 100 && transfer.number("target_rows") == 30)
            for key in ["source_rmse_trained", "source_rmse_allocated", "source_rmse_after_transfer", "target_train_rmse"] {
                #expect((transfer.number(key) ?? -1) > 0, "\(key) in \(transfer)")
            }
            let after = try #require(transfer.number("source_rmse_after_transfer"))
            #expect(transfer.number("source_rmse_allocated") == after, "calibration leaves the source task exactly as allocated")

            let evaluate = try jsonSummary(try ProcessTests.run(["evaluate", "--model", model, "--data", source, "--task", "source", "--json"]))
            #expect(evaluate.number("rmse") == after)
            let info = try jsonSummary(try ProcessTests.run(["info", "--model", model, "--json"]))
            #expect(info.text("stage") == "calibrated")
            #expect(info.text("tasks") == "source,target")
            #expect(try FileManager.default.contentsOfDirectory(atPath: stages).sorted() ==
                ["allocated.safetensors", "pruned.safetensors", "trained.safetensors"])
        }
    }

    @Test func plainSummariesAreKeyValueLines() throws {
        try Scratch.with { scratch in
            let source = try scratch.write("source.csv", Self.sourceCSV)
            let model = scratch.path("m.safetensors")
            let output = try ProcessTests.run(["train", "--data", source, "--targets", "y", "--arch", "mlp:3-4-1:relu",
                                               "--epochs", "2", "--out", model])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.hasPrefix("command: train\nmodel: \(model)\n"), "\(output.stdout)")
            #expect(output.stdout.contains("validation_rmse: -\n"), "no --validation, no score: \(output.stdout)")
            // Without --quiet, progress goes to stderr (never stdout).
            #expect(output.stderr.contains("train: epoch 2/2"), "\(output.stderr)")
        }
    }
}
