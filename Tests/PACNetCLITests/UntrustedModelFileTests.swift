import Foundation
import Testing

/// Model files with bad metadata through the real `pacnet` binary: the commands that read a model
/// fail with one error line naming the file and the field, and exit 1 rather than crash (a
/// wrong-length standardization mean used to stop `predict` and `evaluate` with a precondition
/// failure, exit 132).
struct UntrustedModelFileTests {
    /// Rewrites metadata `key` of the safetensors file at `path` (nil removes it): the header is
    /// JSON, and data offsets count from the end of the header, so only the header changes.
    static func rewriteMetadata(_ path: String, _ key: String, _ value: String?) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = Int(data.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
        var metadata = try #require(header["__metadata__"] as? [String: String])
        metadata[key] = value
        header["__metadata__"] = metadata
        var bytes = try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)
        bytes += Data(repeating: UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8)
        var rewritten = Data()
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { rewritten.append(contentsOf: $0) }
        rewritten += bytes
        rewritten += data.subdata(in: (8 + length)..<data.count)
        try rewritten.write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: [
        ("pacnet.standardization", #"{"inputMean":[0,0,0,0,0],"inputStd":[1,1,1],"targetMean":[0],"targetStd":[1]}"#,
         "metadata pacnet.standardization: inputMean has 5 values, but the architecture takes 3 inputs"),
        ("pacnet.standardization", #"{"inputMean":[0,0,0],"inputStd":[1,0,1],"targetMean":[0],"targetStd":[1]}"#,
         "metadata pacnet.standardization: inputStd[1] is 0, but a standard deviation is at least 1e-12"),
        ("pacnet.standardization", #"{"inputMean":[0,0,0],"inputStd":[1,1,1],"targetMean":[0,0,0],"targetStd":[1,1,1]}"#,
         "metadata pacnet.standardization: targetMean has 3 values, but the architecture has 1 output"),
        ("pacnet.features", #"["x1","x2"]"#, "metadata pacnet.features: has 2 names, but the architecture takes 3 inputs"),
        ("pacnet.targets", #"["y","y2","y3"]"#, "metadata pacnet.targets: has 3 names, but the architecture has 1 output"),
        ("pacnet.stage", "calibrated", "metadata pacnet.stage: stage 'calibrated' needs masks, but the file holds no '<parameter>_mask' tensor"),
    ])
    func badMetadataIsOneErrorLineNotACrash(key: String, value: String, problem: String) throws {
        try Scratch.with { scratch in
            let data = try scratch.write("data.csv", regressionCSV(rows: 24))
            let model = scratch.path("model.safetensors")
            let trained = try ProcessTests.run(["train", "--data", data, "--targets", "y", "--arch", "mlp:3-4-1:tanh", "--epochs", "1",
                                                "--standardize", "--out", model, "--quiet"])
            try #require(trained.status == 0, "train: \(trained.stderr)")
            try Self.rewriteMetadata(model, key, value)
            for command in [["predict", "--model", model, "--data", data, "--out", scratch.path("out.csv")],
                            ["evaluate", "--model", model, "--data", data],
                            ["info", "--model", model]] {
                let output = try ProcessTests.run(command)
                #expect(output.status == 1, "\(command[0]): exit \(output.status)")
                #expect(output.stdout.isEmpty, "\(command[0]) stdout: \(output.stdout)")
                #expect(output.stderr == "Error: model.safetensors: \(problem)\n", "\(command[0])")
            }
            #expect(!scratch.exists("out.csv"))
        }
    }

    @Test func infoOnADataFileSaysItIsNotAModelFile() throws {
        try Scratch.with { scratch in
            let data = try scratch.write("data.csv", "x1,x2,y\n1,2,3\n")
            let output = try ProcessTests.run(["info", "--model", data])
            #expect(output.status == 1)
            #expect(output.stderr == "Error: \(data) is not a safetensors file (header length 754683007837417848 exceeds the file size 14)\n")
        }
    }
}
