import Foundation
import Testing

/// `--ratio auto` / `--lambda auto` on `pacnet transfer` and `pacnet calibrate`.
struct AutoSelectionCommandTests {
    /// The source and target CSVs in `scratch`, and the model path.
    static func files(_ scratch: Scratch) throws -> (source: String, target: String, model: String) {
        (try scratch.write("source.csv", WorkflowCommandTests.sourceCSV), try scratch.write("target.csv", WorkflowCommandTests.targetCSV),
         scratch.path("model.safetensors"))
    }

    /// The summary of a short `transfer` with `options`.
    static func transfer(_ source: String, _ target: String, _ model: String, _ options: [String]) throws -> [String: Any] {
        try jsonSummary(try ProcessTests.run([
            "transfer", "--source", source, "--target", target, "--targets", "y", "--arch", "mlp:3-8-1:tanh",
            "--source-epochs", "3", "--allocate-epochs", "2", "--target-epochs", "3", "--batch-size", "16",
        ] + options + ["--out", model, "--json", "--quiet"]))
    }

    @Test func transferChoosesRatioAndLambdaAndKeepsTheSourceExact() throws {
        try Scratch.with { scratch in
            let (source, target, model) = try Self.files(scratch)
            let transfer = try Self.transfer(source, target, model, ["--learning-rate", "0.01", "--ratio", "auto", "--lambda", "auto"])
            #expect(transfer.text("selection") == "ratio+lambda")
            #expect([0.5, 0.7, 0.8, 0.9].contains(try #require(transfer.number("ratio"))))
            #expect([0, 1e-4, 1e-3, 1e-2, 1e-1].contains { abs($0 - (transfer.number("lambda") ?? -1)) < 1e-9 })
            #expect((transfer.number("selection_seconds") ?? -1) >= 0)
            #expect(transfer.number("source_rmse_allocated") == transfer.number("source_rmse_after_transfer"))
            let info = try jsonSummary(try ProcessTests.run(["info", "--model", model, "--json"]))
            #expect(info.number("ratio") == transfer.number("ratio"))
        }
    }

    @Test func calibrateChoosesLambdaAndRejectsBadValues() throws {
        try Scratch.with { scratch in
            let source = try scratch.write("source.csv", WorkflowCommandTests.sourceCSV)
            let target = try scratch.write("target.csv", WorkflowCommandTests.targetCSV)
            let stages = scratch.path("stages")
            _ = try ProcessTests.run([
                "transfer", "--source", source, "--target", target, "--targets", "y", "--arch", "mlp:3-8-1:tanh",
                "--source-epochs", "2", "--allocate-epochs", "2", "--target-epochs", "2", "--save-stages", stages,
                "--out", scratch.path("unused.safetensors"), "--quiet",
            ])
            let allocated = (stages as NSString).appendingPathComponent("allocated.safetensors")
            let calibrated = scratch.path("calibrated.safetensors")
            let calibrate = try jsonSummary(try ProcessTests.run([
                "calibrate", "--model", allocated, "--data", target, "--epochs", "3", "--lambda", "auto", "--out", calibrated, "--json",
            ]))
            #expect(calibrate.text("selection") == "lambda")
            #expect([0, 1e-4, 1e-3, 1e-2, 1e-1].contains { abs($0 - (calibrate.number("lambda") ?? -1)) < 1e-9 })
            let bad = try ProcessTests.run(["calibrate", "--model", allocated, "--data", target, "--lambda", "automatic",
                                            "--out", scratch.path("bad.safetensors")])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--lambda must be a finite number >= 0 or 'auto'"))
            #expect(!FileManager.default.fileExists(atPath: scratch.path("bad.safetensors")))
        }
    }

    @Test func transferWithOwnBiasesAndASelectedLearningRateKeepsTheSourceExact() throws {
        try Scratch.with { scratch in
            let (source, target, model) = try Self.files(scratch)
            let transfer = try Self.transfer(source, target, model, ["--own-biases", "--target-learning-rate", "auto"])
            #expect(transfer.text("selection") == "learning_rate" && transfer.text("own_biases") == "yes")
            #expect([3e-4, 1e-3, 3e-3].contains { abs($0 - (transfer.number("target_learning_rate") ?? -1)) < 1e-9 })
            #expect(transfer.number("source_rmse_allocated") == transfer.number("source_rmse_after_transfer"))
            let info = try ProcessTests.run(["info", "--model", model])
            #expect(info.status == 0)
            #expect(info.stdout.contains("the target has its own copy of 2 biases and normalization parameters"))
            #expect(info.stdout.contains("the target's own copy (the source's is layers.0.bias_source)"))
            // Scored from the file, the source task still gets the allocated network's RMSE.
            let evaluate = try jsonSummary(try ProcessTests.run(["evaluate", "--model", model, "--task", "source", "--data", source, "--json"]))
            #expect(evaluate.number("rmse") == transfer.number("source_rmse_after_transfer"))
            let bad = try ProcessTests.run(["transfer", "--source", source, "--target", target, "--targets", "y", "--arch", "mlp:3-8-1:tanh",
                                            "--target-learning-rate", "-1", "--out", scratch.path("bad.safetensors")])
            #expect(bad.status == 1 && bad.stderr.contains("--target-learning-rate must be a positive finite number or 'auto'"))
            #expect(!FileManager.default.fileExists(atPath: scratch.path("bad.safetensors")))
        }
    }
}
