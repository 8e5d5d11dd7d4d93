import Foundation
import PACTestSupport
import Testing

/// What a new user runs into with their own data: diverging runs, degenerate settings, scoring
/// data with one class, columns to leave out, class labels trained as a regression, silent
/// selection, unscaled data, single-task image models. Every refusal is one error line, status 1,
/// and no file created.
struct RoughEdgeTests {
    static let train = ["--arch", "mlp:3-4-1:tanh", "--epochs", "2", "--quiet"]

    /// Runs `arguments` (with `$D/` standing for the scratch folder) and expects a refusal with
    /// `fragment`, leaving the folder as it was.
    static func expectRefusal(_ scratch: Scratch, _ arguments: [String], _ fragment: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try scratch.listing()
        let output = try ProcessTests.run(arguments.map { $0.replacingOccurrences(of: "$D/", with: scratch.directory + "/") })
        OutputPathTests.expectRefusal(output, fragment, sourceLocation: sourceLocation)
        #expect(try scratch.listing() == before, "no file may be created", sourceLocation: sourceLocation)
    }

    @Test func aLossThatExplodesStopsTheRun() throws {
        try Scratch.with { scratch in
            try scratch.write("data.csv", regressionCSV(rows: 64))
            try Self.expectRefusal(scratch, ["train", "--data", "$D/data.csv", "--targets", "y", "--arch", "mlp:3-16-1:relu",
                                             "--epochs", "20", "--learning-rate", "1e6", "--out", "$D/m.safetensors", "--quiet"],
                                   "training diverged: loss")
        }
    }

    @Test func degenerateSettingsSayWhatTheyLeave() throws {
        try Scratch.with { scratch in
            try scratch.write("data.csv", regressionCSV(rows: 24))
            try scratch.write("target.csv", regressionCSV(rows: 12, phase: 1))
            let transfer = ["transfer", "--source", "$D/data.csv", "--target", "$D/target.csv", "--targets", "y", "--arch", "mlp:3-8-1:tanh",
                            "--source-epochs", "1", "--allocate-epochs", "1", "--target-epochs", "1", "--out", "$D/m.safetensors"]
            // mlp:3-8-1 has 3*8 + 8*1 = 32 prunable weights.
            try Self.expectRefusal(scratch, transfer + ["--ratio", "0.99999999"],
                                   "--ratio must be small enough to keep at least one of the 32 prunable weights for the source task, got 0.99999999")
            try Self.expectRefusal(scratch, transfer + ["--ratio", "1e-9"],
                                   "--ratio must be large enough to free at least one of the 32 prunable weights for the target task")
            let train = ["train", "--data", "$D/data.csv", "--targets", "y", "--out", "$D/m.safetensors"] + Self.train
            try Self.expectRefusal(scratch, train + ["--validation", "0.01"], "a validation fraction of 0.01 holds out 0 of 24 rows")
            try Self.expectRefusal(scratch, train + ["--validation", "0.99"], "holds out all 24 rows, leaving none to train on")
            // The benchmarks check the same before running.
            let bench = try ProcessTests.run(["friedman", "--seeds", "1", "--n-target", "10", "--ratio", "0.99999999", "--quiet"])
            #expect(bench.status == 1 && bench.stderr.contains("keep at least one of the"), "stderr: \(bench.stderr)")
        }
    }

    @Test func scoringNeedsNoVariationButTrainingDoes() throws {
        try Scratch.with { scratch in
            var rows = ["x1,x2,label"]
            for i in 0..<40 { rows.append("\(sin(Double(i))),\(cos(Double(i))),\(i % 3)") }
            try scratch.write("train.csv", rows.joined(separator: "\n") + "\n")
            try scratch.write("ones.csv", "x1,x2,label\n0.1,0.2,1\n0.3,-0.4,1\n-0.5,0.6,1\n")
            let model = scratch.path("m.safetensors")
            let trained = try ProcessTests.run(["train", "--data", scratch.path("train.csv"), "--targets", "label", "--loss", "ce",
                                                "--arch", "mlp:2-8-3:tanh", "--epochs", "2", "--out", model, "--quiet"])
            #expect(trained.status == 0, "stderr: \(trained.stderr)")
            let score = try jsonSummary(try ProcessTests.run(["evaluate", "--model", model, "--data", scratch.path("ones.csv"), "--json"]))
            let accuracy = try #require(score.number("accuracy"))
            #expect(accuracy >= 0 && accuracy <= 1 && score.number("rows") == 3)
            // A single-task file names no task.
            #expect(score.text("task") == nil)
            try Self.expectRefusal(scratch, ["train", "--data", "$D/ones.csv", "--targets", "label", "--loss", "ce", "--arch", "mlp:2-4-3:tanh",
                                             "--epochs", "1", "--out", "$D/n.safetensors"], "target is constant")
        }
    }

    @Test func columnsCanBeLeftOutAndQuoted() throws {
        try Scratch.with { scratch in
            var rows = ["id,\"x,1\",x2,y"]
            for i in 0..<30 { rows.append("row\(i),\(sin(Double(i))),\(cos(Double(i))),\(sin(Double(i)) + 0.5 * cos(Double(i)))") }
            let data = try scratch.write("data.csv", rows.joined(separator: "\n") + "\n")
            let model = scratch.path("m.safetensors")
            let trained = try ProcessTests.run(["train", "--data", data, "--targets", "y", "--exclude", "id", "--arch", "mlp:2-4-1:tanh",
                                                "--epochs", "2", "--out", model, "--quiet", "--json"])
            #expect(trained.status == 0, "stderr: \(trained.stderr)")
            let quoted = try ProcessTests.run(["train", "--data", data, "--targets", "y", "--features", "\"x,1\",x2", "--arch", "mlp:2-4-1:tanh",
                                               "--epochs", "2", "--out", scratch.path("q.safetensors"), "--quiet"])
            #expect(quoted.status == 0, "stderr: \(quoted.stderr)")
            let info = try ProcessTests.run(["info", "--model", model])
            #expect(info.stdout.contains("x,1") && !info.stdout.contains("id,"), "info: \(info.stdout)")
            // Small mistakes with lists and files.
            try Self.expectRefusal(scratch, ["train", "--data", "$D/data.csv", "--targets", "y,y", "--exclude", "id", "--out", "$D/n.safetensors"] + Self.train,
                                   "--targets lists 'y' twice")
            try Self.expectRefusal(scratch, ["train", "--data", "$D/data.csv", "--targets", "y", "--exclude", "nope", "--out", "$D/n.safetensors"] + Self.train,
                                   "no column named 'nope'")
            try scratch.write("y.npy", Data())
            try Self.expectRefusal(scratch, ["train", "--data", "$D/data.csv", "--labels", "$D/y.npy", "--targets", "y", "--exclude", "id",
                                             "--out", "$D/n.safetensors"] + Self.train, "a labels file goes with .npy features")
        }
    }

    @Test func hugeValuesAreNamedNotTrainedInto() throws {
        try Scratch.with { scratch in
            try scratch.write("data.csv", "x1,x2,x3,y\n1,2,3,4\n2,3e38,4,5\n3,4,5,6\n")
            try Self.expectRefusal(scratch, ["train", "--data", "$D/data.csv", "--targets", "y", "--out", "$D/m.safetensors"] + Self.train,
                                   "$D/data.csv:3:2 (column 'x2'): value 3e+38 is too large to train on".replacingOccurrences(of: "$D/", with: scratch.directory + "/"))
        }
    }

    @Test func classLabelsTrainedAsARegressionGetAHint() throws {
        try Scratch.with { scratch in
            var rows = ["x1,x2,label"]
            for i in 0..<30 { rows.append("\(sin(Double(i))),\(cos(Double(i))),\(i % 3)") }
            try scratch.write("data.csv", rows.joined(separator: "\n") + "\n")
            try Self.expectRefusal(scratch, ["train", "--data", "$D/data.csv", "--targets", "label", "--arch", "mlp:2-4-3:tanh",
                                             "--epochs", "1", "--out", "$D/m.safetensors"],
                                   "has 1 target columns (its values 0, 1, 2 look like class labels: a classifier uses the cross-entropy loss, ce)")
            let regression = try ProcessTests.run(["train", "--data", scratch.path("data.csv"), "--targets", "label", "--arch", "mlp:2-4-1:tanh",
                                                   "--epochs", "1", "--out", scratch.path("m.safetensors")])
            #expect(regression.status == 0)
            #expect(regression.stderr.contains("note: label holds only the values 0, 1, 2: if these are class labels, train a classifier with --loss ce and 3 outputs"))
        }
    }

    @Test func standardizationIsTheDefaultAndUselessModelsAreFlagged() throws {
        try Scratch.with { scratch in
            // Targets around 150 with spread 80, as scikit-learn's diabetes data.
            let data = try scratch.write("data.csv", regressionCSV(rows: 60, offset: 150, scale: 80))
            let standardized = scratch.path("s.safetensors"), raw = scratch.path("r.safetensors")
            let first = try ProcessTests.run(["train", "--data", data, "--targets", "y", "--arch", "mlp:3-16-1:tanh", "--epochs", "300", "--learning-rate", "0.01", "--out", standardized])
            #expect(first.status == 0 && !first.stderr.contains("warning"), "stderr: \(first.stderr)")
            let info = try ProcessTests.run(["info", "--model", standardized])
            #expect(info.stdout.contains("standardized: yes"), "info: \(info.stdout)")
            let second = try ProcessTests.run(["train", "--data", data, "--targets", "y", "--arch", "mlp:3-16-1:tanh", "--epochs", "300", "--learning-rate", "0.01",
                                               "--no-standardize", "--out", raw])
            #expect(second.status == 0)
            #expect(second.stderr.contains("warning: the trained model scores rmse") && second.stderr.contains("worse than predicting the mean"),
                    "stderr: \(second.stderr)")
            // --quiet silences warnings.
            let quiet = try ProcessTests.run(["train", "--data", data, "--targets", "y", "--arch", "mlp:3-16-1:tanh", "--epochs", "300", "--learning-rate", "0.01",
                                              "--no-standardize", "--out", raw, "--force", "--quiet"])
            #expect(quiet.status == 0 && quiet.stderr.isEmpty)
        }
    }

    @Test func selectionShowsItsProgress() throws {
        try Scratch.with { scratch in
            let source = try scratch.write("source.csv", regressionCSV(rows: 40))
            let target = try scratch.write("target.csv", regressionCSV(rows: 15, phase: 1))
            let run = try ProcessTests.run(["transfer", "--source", source, "--target", target, "--targets", "y", "--arch", "mlp:3-8-1:tanh",
                                            "--source-epochs", "2", "--allocate-epochs", "2", "--target-epochs", "20", "--lambda", "auto",
                                            "--out", scratch.path("m.safetensors")])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            // Logged (stderr is not a terminal here): the job, candidate and fold, and what remains of the whole
            // selection (its 25 fold trainings run on every core and finish in any order).
            let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("select candidate ") }
            #expect(!lines.isEmpty && lines.allSatisfy { $0.contains(" fold ") && $0.contains("remaining") }, "stderr: \(run.stderr)")
            #expect(lines.last?.contains("100% done") == true)
        }
    }

    @Test func commandLineMistakesExitWithStatusOne() throws {
        let missing = try ProcessTests.run(["train", "--bogus"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("Error: "))
        let help = try ProcessTests.run(["train", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--no-standardize"))
    }

    @Test func aSingleTaskImageModelTrainsAndTransfers() throws {
        try Scratch.with { scratch in
            let (images, labels) = try ImageFixture(rows: 48, seed: 1).write(columns: [0, 1], prefix: "source", in: scratch.directory)
            let (targetImages, targetLabels) = try ImageFixture(rows: 24, seed: 2).write(columns: [2, 0], prefix: "target", in: scratch.directory)
            let model = scratch.path("one.safetensors")
            // The channels and the head come from the data; one head, one task.
            let trained = try jsonSummary(try ProcessTests.run(["train", "--data", images, "--labels", labels, "--arch", "resnet:1:4-8",
                                                                "--epochs", "3", "--out", model, "--json", "--quiet"]))
            #expect(trained.text("architecture") == "resnet:1:4-8:3:heads=2")
            let score = try jsonSummary(try ProcessTests.run(["evaluate", "--model", model, "--data", images, "--labels", labels, "--json"]))
            #expect(score.number("rows") == 48)
            // A transfer from it adds the target head.
            let transfer = try jsonSummary(try ProcessTests.run([
                "transfer", "--source", images, "--source-labels", labels, "--target", targetImages, "--target-labels", targetLabels,
                "--source-model", model, "--allocate-epochs", "1", "--target-epochs", "2", "--out", scratch.path("t.safetensors"), "--json", "--quiet",
            ]))
            #expect(transfer.text("architecture") == "resnet:1:4-8:3:heads=2,2")
            #expect(transfer.number("source_accuracy_after_transfer") == transfer.number("source_accuracy_allocated"))
        }
    }
}
