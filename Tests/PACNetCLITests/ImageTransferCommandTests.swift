import Foundation
import PACTestSupport
import Testing

/// Bring-your-own images end to end through the `pacnet` binary: uint8 N x H x W x C .npy
/// images with 0/1 attribute arrays, a multi-head ResNet, every command on the model file.
struct ImageTransferCommandTests {
    /// Source: attributes red and left of 48 images; target: attributes top and red of 24 others.
    static func writeData(_ scratch: Scratch) throws -> (source: [String], target: [String]) {
        let (sourceImages, sourceLabels) = try ImageFixture(rows: 48, seed: 1).write(columns: [0, 1], prefix: "source", in: scratch.directory)
        let (targetImages, targetLabels) = try ImageFixture(rows: 24, seed: 2).write(columns: [2, 0], prefix: "target", in: scratch.directory)
        let sourceNames = try scratch.write("source_names.txt", "red\nleft\n")
        let targetNames = try scratch.write("target_names.txt", "top\nred\n")
        return (["--source", sourceImages, "--source-labels", sourceLabels, "--source-names", sourceNames],
                ["--target", targetImages, "--target-labels", targetLabels, "--target-names", targetNames])
    }

    @Test func transferThenEvaluatePredictAndInfo() throws {
        try Scratch.with { scratch in
            let (source, target) = try Self.writeData(scratch)
            let model = scratch.path("model.safetensors"), stages = scratch.path("stages")
            // The image defaults of the schedule; only the network is shrunk (--arch keeps the defaults' channels and heads).
            let transfer = try jsonSummary(try ProcessTests.run(["transfer"] + source + target + [
                "--arch", "resnet:1:4-8", "--learning-rate", "0.01", "--ratio", "0.5", "--save-stages", stages,
                "--out", model, "--json", "--quiet",
            ]))
            #expect(transfer.text("architecture") == "resnet:1:4-8:3:heads=2,2")
            #expect(transfer.text("image_size") == "8x8")
            #expect(transfer.number("source_rows") == 48 && transfer.number("target_rows") == 24)
            // The image schedule: at least 300 steps per stage; 48 source rows and 24 target rows are one batch
            // each, so 300 epochs make 300 steps (8 and 3 epochs would be 8 and 3 steps, too few to learn).
            #expect(transfer.number("source_epochs") == 300 && transfer.number("allocate_epochs") == 300 && transfer.number("target_epochs") == 300)
            for key in ["source_accuracy_trained", "source_accuracy_allocated", "source_accuracy_after_transfer", "target_train_accuracy"] {
                let value = try #require(transfer.number(key), "\(key) in \(transfer)")
                #expect(value >= 0 && value <= 1)
            }
            let allocatedAccuracy = try #require(transfer.number("source_accuracy_allocated"))
            #expect(transfer.number("source_accuracy_after_transfer") == allocatedAccuracy, "calibration leaves the source task exactly as allocated")

            // Source predictions of the shipped model are the allocated stage's, bit for bit.
            let allocated = (stages as NSString).appendingPathComponent("allocated.safetensors")
            let sourceImages = source[1], sourceLabels = source[3]
            for (file, out) in [(model, "final.npy"), (allocated, "allocated.npy")] {
                let predict = try ProcessTests.run(["predict", "--model", file, "--data", sourceImages, "--task", "source", "--out", scratch.path(out)])
                #expect(predict.status == 0, "\(predict.stderr)")
            }
            let final = try Data(contentsOf: URL(fileURLWithPath: scratch.path("final.npy")))
            #expect(final == (try Data(contentsOf: URL(fileURLWithPath: scratch.path("allocated.npy")))))
            #expect(final.count == 128 + 48 * 2 * 4, "a float32 48 x 2 array of probabilities")

            let sourceScore = try jsonSummary(try ProcessTests.run([
                "evaluate", "--model", model, "--data", sourceImages, "--labels", sourceLabels, "--task", "source", "--json",
            ]))
            #expect(sourceScore.number("accuracy") == allocatedAccuracy)
            let targetScore = try jsonSummary(try ProcessTests.run(["evaluate", "--model", model, "--data", target[1], "--labels", target[3], "--json"]))
            #expect(targetScore.text("task") == "target")
            #expect(targetScore.number("accuracy") == transfer.number("target_train_accuracy"))

            let csv = scratch.path("target.csv")
            #expect(try ProcessTests.run(["predict", "--model", model, "--data", target[1], "--out", csv]).status == 0)
            let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "top,red,p_top,p_red")
            #expect(lines.count == 25)
            #expect(lines.dropFirst().allSatisfy { line in
                let fields = line.split(separator: ",")
                return fields.count == 4 && fields.prefix(2).allSatisfy { $0 == "0" || $0 == "1" } && fields.dropFirst(2).allSatisfy { (Double($0) ?? -1) >= 0 }
            })

            let info = try jsonSummary(try ProcessTests.run(["info", "--model", model, "--json"]))
            #expect(info.text("architecture") == "resnet:1:4-8:3:heads=2,2")
            #expect(info.text("heads") == "source 2 outputs, target 2 outputs")
            #expect(info.text("image_size") == "8x8")
            #expect(info.text("targets") == "red,left" && info.text("target_task_targets") == "top,red")
            #expect(info.text("stage") == "calibrated" && info.text("loss") == "bce")
            #expect(info.text("masks")?.contains("for the source task") == true, "\(info)")
            #expect(info.text("backbone.stem.0.weight")?.contains("mask keeps") == true)
            #expect(info.text("heads.1.weight")?.contains("mask") == false, "heads are never pruned")
        }
    }

    @Test func stageCommandsRunOnImages() throws {
        try Scratch.with { scratch in
            let (source, target) = try Self.writeData(scratch)
            let (trained, pruned, allocated, calibrated) = (scratch.path("t.safetensors"), scratch.path("p.safetensors"),
                                                             scratch.path("a.safetensors"), scratch.path("c.safetensors"))
            let steps: [[String]] = [
                ["train", "--data", source[1], "--labels", source[3], "--names", source[5], "--arch", "resnet:1:4:3:heads=2,2",
                 "--epochs", "1", "--out", trained],
                ["prune", "--model", trained, "--ratio", "0.5", "--out", pruned],
                ["allocate", "--model", pruned, "--data", source[1], "--labels", source[3], "--epochs", "1", "--out", allocated],
                ["calibrate", "--model", allocated, "--data", target[1], "--labels", target[3], "--names", target[5], "--epochs", "2",
                 "--out", calibrated],
            ]
            for step in steps {
                let output = try ProcessTests.run(step + ["--quiet", "--json"])
                #expect(output.status == 0, "\(step[0]): \(output.stderr)")
            }
            let info = try jsonSummary(try ProcessTests.run(["info", "--model", calibrated, "--json"]))
            #expect(info.text("targets") == "red,left" && info.text("target_task_targets") == "top,red")
        }
    }
}
