import Foundation
import Testing

/// Where outputs may go: regular files atomically, character devices straight through, `-` for
/// predictions; folders, FIFOs, dangling links and missing folders are refused before any work,
/// with one error line and nothing created or changed.
struct OutputPathTests {
    /// A quick `train` whose output is `out`; without `--quiet`, so progress lines would show on
    /// stderr if training had started.
    static func train(_ scratch: Scratch, out: String, extra: [String] = []) throws -> ProcessTests.Output {
        let data = try scratch.write("data.csv", regressionCSV(rows: 24))
        return try ProcessTests.run(["train", "--data", data, "--targets", "y", "--arch", "mlp:3-4-1:tanh", "--epochs", "2",
                                     "--out", out] + extra)
    }

    /// Exactly one error line containing `fragment`, nothing on stdout.
    static func expectRefusal(_ output: ProcessTests.Output, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status == 1, "status \(output.status)", sourceLocation: sourceLocation)
        #expect(output.stdout.isEmpty, "stdout: \(output.stdout)", sourceLocation: sourceLocation)
        #expect(output.stderr.hasPrefix("Error: ") && output.stderr.filter { $0 == "\n" }.count == 1,
                "one error line (no training progress) expected: \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(fragment), "'\(fragment)' missing from: \(output.stderr)", sourceLocation: sourceLocation)
    }

    @Test func foldersFIFOsAndMissingFoldersAreRefusedBeforeTraining() throws {
        try Scratch.with { scratch in
            try FileManager.default.createDirectory(atPath: scratch.path("folder"), withIntermediateDirectories: false)
            #expect(mkfifo(scratch.path("pipe"), 0o644) == 0)
            for force in [false, true] {
                let extra = force ? ["--force"] : []
                Self.expectRefusal(try Self.train(scratch, out: scratch.path("folder"), extra: extra), "it is a folder")
                Self.expectRefusal(try Self.train(scratch, out: scratch.path("pipe"), extra: extra), "it is a FIFO (named pipe)")
                Self.expectRefusal(try Self.train(scratch, out: scratch.path("missing/model.safetensors"), extra: extra),
                                   "folder '\(scratch.path("missing"))' does not exist")
            }
            // Nothing was created, and the FIFO is still a FIFO.
            #expect(try scratch.listing() == ["data.csv", "folder", "pipe"])
            var status = stat()
            #expect(lstat(scratch.path("pipe"), &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        }
    }

    @Test func aSymlinkToAFileReplacesTheFileAndKeepsTheLink() throws {
        try Scratch.with { scratch in
            let target = try scratch.write("real.safetensors", "old")
            try FileManager.default.createSymbolicLink(atPath: scratch.path("link.safetensors"), withDestinationPath: target)
            // Without --force the file behind the link is protected like any existing output.
            Self.expectRefusal(try Self.train(scratch, out: scratch.path("link.safetensors")), "output file exists")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "old")

            let forced = try Self.train(scratch, out: scratch.path("link.safetensors"), extra: ["--force", "--quiet"])
            #expect(forced.status == 0, "stderr: \(forced.stderr)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("link.safetensors")) == target)
            let info = try jsonSummary(try ProcessTests.run(["info", "--model", target, "--json"]))
            #expect(info.text("stage") == "trained")

            // A dangling link is refused.
            try FileManager.default.createSymbolicLink(atPath: scratch.path("dangling"), withDestinationPath: scratch.path("nowhere"))
            Self.expectRefusal(try Self.train(scratch, out: scratch.path("dangling"), extra: ["--force"]), "symbolic link to a missing file")
            #expect(!scratch.exists("nowhere"))
        }
    }

    @Test func predictWritesToStandardOutputAndDevicesAndRefusesOtherFormats() throws {
        try Scratch.with { scratch in
            let data = try scratch.write("data.csv", regressionCSV(rows: 24))
            let model = scratch.path("model.safetensors")
            #expect(try Self.train(scratch, out: model, extra: ["--quiet"]).status == 0)

            let toFile = try ProcessTests.run(["predict", "--model", model, "--data", data, "--out", scratch.path("p.csv")])
            #expect(toFile.status == 0, "stderr: \(toFile.stderr)")
            let stdout = try ProcessTests.run(["predict", "--model", model, "--data", data, "--out", "-"])
            #expect(stdout.status == 0, "stderr: \(stdout.stderr)")
            // The predictions are stdout, byte for byte the file's; the summary moved to stderr.
            #expect(stdout.stdout == (try String(contentsOfFile: scratch.path("p.csv"), encoding: .utf8)))
            #expect(stdout.stderr.contains("predictions: standard output"))

            let device = try ProcessTests.run(["predict", "--model", model, "--data", data, "--out", "/dev/null"])
            #expect(device.status == 0, "stderr: \(device.stderr)")
            var status = stat()
            #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR, "/dev/null must stay a device")

            let before = try scratch.listing()
            Self.expectRefusal(try ProcessTests.run(["predict", "--model", model, "--data", data, "--out", scratch.path("p.npz")]),
                               "write predictions to a .csv or .npy file, or - for standard output")
            #expect(try scratch.listing() == before)
        }
    }

    @Test func saveStagesProblemsAreFoundBeforeTraining() throws {
        try Scratch.with { scratch in
            let source = try scratch.write("source.csv", regressionCSV(rows: 40))
            let target = try scratch.write("target.csv", regressionCSV(rows: 12, phase: 1))
            func transfer(_ stages: String, _ extra: [String] = []) throws -> ProcessTests.Output {
                try ProcessTests.run(["transfer", "--source", source, "--target", target, "--targets", "y", "--arch", "mlp:3-8-1:tanh",
                                      "--source-epochs", "2", "--allocate-epochs", "2", "--target-epochs", "2",
                                      "--save-stages", stages, "--out", scratch.path("model.safetensors")] + extra)
            }
            let file = try scratch.write("notafolder", "x")
            Self.expectRefusal(try transfer(file), "--save-stages \(file): exists and is not a folder")
            try FileManager.default.createDirectory(atPath: scratch.path("stages"), withIntermediateDirectories: false)
            let existing = try scratch.write("stages/pruned.safetensors", "keep")
            Self.expectRefusal(try transfer(scratch.path("stages")), "\(existing): output file exists")
            Self.expectRefusal(try transfer(scratch.path("missing/stages")), "folder '\(scratch.path("missing"))' does not exist")
            #expect(try scratch.listing() == ["notafolder", "source.csv", "stages", "target.csv"])
            #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep")
        }
    }
}
