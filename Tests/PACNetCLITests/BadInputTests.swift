import Foundation
import Testing

/// Bad data and model files through the real `pacnet` binary: every one fails with exactly one
/// `Error: ...` line on stderr that names the file (and line and column where there is one),
/// prints nothing on stdout and writes no output file.
struct BadInputTests {
    /// One bad input. In `arguments`, `prepare` and `fragments`, `$D/` stands for the scratch directory.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var files: [String: Data] = [:]
        /// Commands run first (and expected to succeed), e.g. to train a model.
        var prepare: [[String]] = []
        let arguments: [String]
        /// Text the error line must contain: the file, its location, the problem.
        let fragments: [String]
        var testDescription: String { name }
    }

    static let good = regressionCSV(rows: 24, features: 2)
    static let trainOut = ["--arch", "mlp:2-4-1:tanh", "--epochs", "1", "--out", "$D/out.safetensors", "--quiet"]

    /// `pacnet train` on `data.csv` holding `csv`.
    static func train(_ name: String, csv: String, targets: String = "y", extra: [String] = [], _ fragments: [String]) -> Case {
        Case(name: name, files: ["data.csv": Data(csv.utf8)],
             arguments: ["train", "--data", "$D/data.csv", "--targets", targets] + extra + trainOut, fragments: fragments)
    }

    /// `pacnet allocate` of the model file `bad.safetensors` holding `bytes`.
    /// Unless `notSafetensors`, the message starts `$D/bad.safetensors: `; bytes that are not a
    /// safetensors file at all say `$D/bad.safetensors is not a safetensors file (...)`.
    static func allocate(_ name: String, model bytes: Data, notSafetensors: Bool = false, _ fragments: [String]) -> Case {
        Case(name: name, files: ["bad.safetensors": bytes, "data.csv": Data(good.utf8)],
             arguments: ["allocate", "--model", "$D/bad.safetensors", "--data", "$D/data.csv", "--targets", "y",
                         "--epochs", "1", "--out", "$D/out.safetensors", "--quiet"],
             fragments: [notSafetensors ? "$D/bad.safetensors is not a safetensors file (" : "$D/bad.safetensors: "] + fragments)
    }

    /// Safetensors bytes: the 8-byte little-endian header length (the real one unless given), the header, the buffer.
    static func safetensors(_ header: String, buffer: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
        var data = Data()
        withUnsafeBytes(of: (headerLength ?? UInt64(header.utf8.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: buffer)
        return data
    }

    static let cases: [Case] = [
        Case(name: "missing data file", arguments: ["train", "--data", "$D/missing.csv", "--targets", "y"] + trainOut,
             fragments: ["$D/missing.csv: no such file"]),
        train("empty file", csv: "", ["$D/data.csv: file is empty"]),
        train("header only", csv: "x1,x2,y\n", ["$D/data.csv: header only, no data rows"]),
        train("ragged row", csv: "x1,x2,y\n1,2,3\n4,5\n7,8,9\n", ["$D/data.csv:3: row has 2 fields, expected 3"]),
        train("non-numeric cell", csv: "x1,x2,y\n1,2,3\n4,5,6\n7,abc,9\n", ["$D/data.csv:4:2 (column 'x2'): 'abc' is not a number"]),
        train("NaN cell", csv: "x1,x2,y\n1,2,3\n4,NaN,6\n", ["$D/data.csv:3:2 (column 'x2'): value is NaN"]),
        train("inf cell", csv: "x1,x2,y\n1,2,3\n4,5,-inf\n", ["$D/data.csv:3:3 (column 'y'): value is infinite"]),
        train("unknown target column", csv: good, targets: "price", ["$D/data.csv: no column named 'price'", "'x1', 'x2', 'y'"]),
        train("constant target", csv: "x1,x2,y\n1,2,7\n3,4,7\n5,6,7\n", ["$D/data.csv (column 'y'): target is constant"]),
        Case(name: "non-integer class label",
             files: ["data.csv": Data("x1,x2,label\n1,2,0\n3,4,2\n5,6,1.5\n".utf8)],
             arguments: ["train", "--data", "$D/data.csv", "--targets", "label", "--loss", "ce", "--arch", "mlp:2-4-3:tanh",
                         "--epochs", "1", "--out", "$D/out.safetensors", "--quiet"],
             fragments: ["$D/data.csv:4:3 (column 'label'): class label 1.5 is not an integer"]),
        allocate("truncated model (header length beyond the file)", model: safetensors("{}", headerLength: 4096), notSafetensors: true,
                 ["header length 4096 exceeds the file size 10)"]),
        allocate("model file that is not JSON-headed", model: safetensors("[1, 2]"), notSafetensors: true,
                 ["header is not a JSON object starting with '{')"]),
        Case(name: "info on a CSV file", files: ["data.csv": Data(good.utf8)], arguments: ["info", "--model", "$D/data.csv"],
             fragments: ["$D/data.csv is not a safetensors file (header length ", " exceeds the file size \(good.utf8.count))"]),
        allocate("malformed JSON header", model: safetensors(#"{"layers.0.weight": {"dtype": "F32", "shape": [2"#),
                 ["header is not valid JSON"]),
        allocate("data_offsets out of range",
                 model: safetensors(#"{"a":{"dtype":"F32","shape":[16],"data_offsets":[0,64]}}"#, buffer: Array(repeating: 0, count: 8)),
                 ["tensor 'a'", "out of range"]),
        allocate("overlapping data_offsets",
                 model: safetensors(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                                    buffer: Array(repeating: 0, count: 12)),
                 ["tensors 'a' and 'b' overlap"]),
        allocate("unsupported dtype",
                 model: safetensors(#"{"a":{"dtype":"I16","shape":[2],"data_offsets":[0,4]}}"#, buffer: [1, 0, 2, 0]),
                 ["tensor 'a' has dtype 'I16', which is not supported"]),
        Case(name: "train --arch mlp:4-8-1:relu on 3 features",
             files: ["data.csv": Data(regressionCSV(rows: 24).utf8)],
             arguments: ["train", "--data", "$D/data.csv", "--targets", "y", "--arch", "mlp:4-8-1:relu", "--epochs", "1",
                         "--out", "$D/out.safetensors", "--quiet"],
             fragments: ["architecture mlp:4-8-1:relu takes 4 inputs, but $D/data.csv has 3 feature columns (x1, x2, x3)"]),
        Case(name: "evaluate a 4-input model on 3 feature columns",
             files: ["wide.csv": Data(regressionCSV(rows: 24, features: 4).utf8), "data.csv": Data(regressionCSV(rows: 24).utf8)],
             prepare: [["train", "--data", "$D/wide.csv", "--targets", "y", "--arch", "mlp:4-8-1:relu", "--epochs", "1",
                        "--out", "$D/wide.safetensors", "--quiet"]],
             arguments: ["evaluate", "--model", "$D/wide.safetensors", "--data", "$D/data.csv", "--features", "x1,x2,x3", "--targets", "y"],
             fragments: ["architecture mlp:4-8-1:relu takes 4 inputs, but $D/data.csv has 3 feature columns (x1, x2, x3)"]),
        Case(name: "evaluate on data lacking the model's feature columns",
             files: ["wide.csv": Data(regressionCSV(rows: 24, features: 4).utf8), "data.csv": Data(regressionCSV(rows: 24).utf8)],
             prepare: [["train", "--data", "$D/wide.csv", "--targets", "y", "--arch", "mlp:4-8-1:relu", "--epochs", "1",
                        "--out", "$D/wide.safetensors", "--quiet"]],
             arguments: ["evaluate", "--model", "$D/wide.safetensors", "--data", "$D/data.csv"],
             fragments: ["$D/data.csv: no column named 'x4'"]),
    ] + imageCases

    @Test(arguments: cases)
    func failsWithOneErrorLineAndNoOutput(_ bad: Case) throws {
        try Scratch.with { scratch in
            func expand(_ text: String) -> String { text.replacingOccurrences(of: "$D/", with: scratch.directory + "/") }
            for (name, contents) in bad.files { try scratch.write(name, contents) }
            for command in bad.prepare {
                let prepared = try ProcessTests.run(command.map(expand))
                try #require(prepared.status == 0, "preparing \(command): \(prepared.stderr)")
            }
            let before = try scratch.listing()

            let output = try ProcessTests.run(bad.arguments.map(expand))
            #expect(output.status != 0)
            #expect(output.stdout.isEmpty, "stdout: \(output.stdout)")
            #expect(output.stderr.hasPrefix("Error: "), "stderr: \(output.stderr)")
            #expect(output.stderr.hasSuffix("\n") && output.stderr.filter { $0 == "\n" }.count == 1,
                    "stderr should be exactly one line: \(output.stderr)")
            for fragment in bad.fragments.map(expand) {
                #expect(output.stderr.contains(fragment), "'\(fragment)' missing from: \(output.stderr)")
            }
            #expect(output.stderr.contains(scratch.directory + "/"), "the error should name the file: \(output.stderr)")
            // Nothing written: no output file, no stray temporary.
            #expect(try scratch.listing() == before)
            #expect(!scratch.exists("out.safetensors"))
        }
    }

    @Test func existingOutputNeedsForce() throws {
        try Scratch.with { scratch in
            let data = try scratch.write("data.csv", regressionCSV(rows: 24))
            let out = try scratch.write("out.safetensors", "precious")
            let arguments = ["train", "--data", data, "--targets", "y", "--arch", "mlp:3-4-1:tanh", "--epochs", "1", "--out", out, "--quiet"]

            let refused = try ProcessTests.run(arguments)
            #expect(refused.status != 0)
            #expect(refused.stdout.isEmpty)
            #expect(refused.stderr == "Error: \(out): output file exists (use --force to overwrite)\n")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == "precious")
            #expect(try scratch.listing() == ["data.csv", "out.safetensors"])

            let forced = try ProcessTests.run(arguments + ["--force"])
            #expect(forced.status == 0, "stderr: \(forced.stderr)")
            #expect(forced.stderr.isEmpty)
            let info = try jsonSummary(try ProcessTests.run(["info", "--model", out, "--json"]))
            #expect(info.text("stage") == "trained")
            #expect(try scratch.listing() == ["data.csv", "out.safetensors"])
        }
    }
}
