import Foundation
import Testing

/// `pacnet calibrate --task`: several targets on one network, every earlier task exact after
/// each addition, the tasks listed by `info`, and bad requests refused without output.
struct ChainCommandTests {
    @Test func addingTasksKeepsEveryEarlierTaskExact() throws {
        try Scratch.with { scratch in
            let (source, target, model) = try AutoSelectionCommandTests.files(scratch)
            let second = try scratch.write("second.csv", regressionCSV(rows: 30, phase: 1.4, offset: -0.3, scale: 0.6))
            let third = try scratch.write("third.csv", regressionCSV(rows: 30, phase: 2.1, offset: 0.2, scale: 1.2))
            _ = try AutoSelectionCommandTests.transfer(source, target, model, ["--own-biases"])
            func rmse(_ file: String, _ task: String, _ data: String) throws -> Double {
                try #require(try jsonSummary(try ProcessTests.run(["evaluate", "--model", file, "--task", task, "--data", data, "--json"])).number("rmse"))
            }
            func add(_ file: String, _ task: String, _ data: String, previous: String, out: String, _ extra: [String] = []) throws -> [String: Any] {
                try jsonSummary(try ProcessTests.run(["calibrate", "--model", file, "--task", task, "--data", data, "--previous-data", previous,
                                                      "--epochs", "3", "--out", out, "--json"] + extra))
            }
            let before = (source: try rmse(model, "source", source), target: try rmse(model, "target", target))
            // t2 with its own biases: the source and the target keep theirs as copies.
            let two = scratch.path("two.safetensors")
            let added = try add(model, "t2", second, previous: target, out: two, ["--own-biases", "--keep", "0.6"])
            #expect(added.text("tasks") == "source,target,t2" && added.text("released") == "target")
            #expect(added.number("released_rmse_before") == before.target)
            let releasedTarget = try rmse(two, "target", target)
            #expect(added.number("released_rmse_after") == releasedTarget)
            #expect(try rmse(two, "source", source) == before.source)
            #expect(try rmse(two, "t2", second) == added.number("target_rmse"))
            // t3 without: every earlier task predicts exactly as before.
            let three = scratch.path("three.safetensors")
            _ = try add(two, "t3", third, previous: second, out: three)
            let predictions = try ["source", "target", "t2"].map { task in
                (try ProcessTests.run(["predict", "--model", two, "--task", task, "--data", source, "--out", "-"]).stdout,
                 try ProcessTests.run(["predict", "--model", three, "--task", task, "--data", source, "--out", "-"]).stdout)
            }
            #expect(predictions[0].0 == predictions[0].1 && predictions[1].0 == predictions[1].1)
            // t2 was the last task of `two`: released for t3, it changed once.
            #expect(predictions[2].0 != predictions[2].1)
            #expect(try rmse(three, "source", source) == before.source)
            #expect(try rmse(three, "target", target) == releasedTarget)
            let info = try jsonSummary(try ProcessTests.run(["info", "--model", three, "--json"]))
            #expect(info.text("tasks") == "source,target,t2,t3")
            #expect(info.text("chain")?.contains("t3 owns") == true)
            #expect(info.text("task.t2")?.contains("own biases") == true)
            #expect(info.text("copies.target") != nil)
            // `transfer` adds a task too, with lambda chosen by cross-validation; --source is the last task's data.
            let viaTransfer = try jsonSummary(try ProcessTests.run([
                "transfer", "--source-model", model, "--task", "t2", "--source", target, "--target", second, "--lambda", "auto",
                "--target-epochs", "3", "--out", scratch.path("transfer.safetensors"), "--json", "--quiet",
            ]))
            #expect(viaTransfer.text("selection") == "lambda" && viaTransfer.text("tasks") == "source,target,t2")
            #expect(try rmse(scratch.path("transfer.safetensors"), "source", source) == before.source)
            // Targets that read only the source's entries: the choice is recorded and kept.
            let star = scratch.path("star.safetensors")
            let sourceOnly = try add(model, "t2", second, previous: target, out: star, ["--reading", "source"])
            #expect(sourceOnly.text("reading") == "source")
            #expect(try jsonSummary(try ProcessTests.run(["info", "--model", star, "--json"])).text("chain")?.contains("reading source") == true)
            let mixed = try ProcessTests.run(["calibrate", "--model", star, "--task", "t3", "--data", third, "--previous-data", second,
                                              "--reading", "nested", "--out", scratch.path("mixed.safetensors")])
            #expect(mixed.status == 1 && mixed.stderr.contains("cannot read 'nested'"))
            let star3 = scratch.path("star3.safetensors")
            _ = try add(star, "t3", third, previous: second, out: star3)
            #expect(try rmse(star3, "target", target) == (try rmse(star, "target", target)))
            #expect(try rmse(star3, "source", source) == before.source)
        }
    }

    @Test func badChainRequestsAreRefusedWithoutOutput() throws {
        try Scratch.with { scratch in
            let (source, target, model) = try AutoSelectionCommandTests.files(scratch)
            _ = try AutoSelectionCommandTests.transfer(source, target, model, [])
            let out = scratch.path("out.safetensors")
            func refused(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let result = try ProcessTests.run(arguments + ["--out", out])
                #expect(result.status == 1, sourceLocation: sourceLocation)
                #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
                #expect(!FileManager.default.fileExists(atPath: out), sourceLocation: sourceLocation)
            }
            let add = ["calibrate", "--model", model, "--data", target]
            try refused(add + ["--task", "t2"], "needs free entries, and the model has none")
            try refused(add, "is already calibrated")
            try refused(add + ["--task", "source", "--previous-data", target], "task name 'source' is reserved")
            try refused(add + ["--task", "bad name", "--previous-data", target], "must be 1-64 letters")
            try refused(add + ["--task", "t2", "--previous-data", target, "--keep", "1"], "--keep must be between 0 and 1")
            try refused(add + ["--task", "t2", "--previous-data", target, "--keep", "0.0001"], "would leave 'target' no entry")
            try refused(add + ["--task", "t2", "--previous-data", target, "--keep", "0.9999"], "would leave task 't2' no entry")
            try refused(add + ["--previous-data", target], "need --task NAME")
            try refused(add + ["--task", "t2", "--previous-data", target, "--reading", "all"], "--reading must be 'nested' or 'source'")
            let two = scratch.path("two.safetensors")
            _ = try jsonSummary(try ProcessTests.run(add + ["--task", "t2", "--previous-data", target, "--epochs", "2", "--out", two, "--json"]))
            try refused(["calibrate", "--model", two, "--data", target, "--task", "t2", "--previous-data", target], "already has a task 't2'")
            let predict = try ProcessTests.run(["predict", "--model", two, "--task", "t9", "--data", source, "--out", "-"])
            #expect(predict.status == 1 && predict.stderr.contains("has no task 't9'; its tasks are source, target, t2"))
        }
    }
}
