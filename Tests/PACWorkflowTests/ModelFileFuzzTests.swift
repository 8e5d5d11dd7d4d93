import Foundation
import PACEngine
import PACIO
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// Seeded corruptions of valid model files: every one must either load, and then give each task
/// it serves a network whose predictions on correctly shaped inputs are finite, or fail with one
/// clean `WorkflowError` line naming the file. A precondition, fatal error, force unwrap or
/// overflow anywhere on the way would kill the test process, so passing proves none is reachable
/// from these files.
struct ModelFileFuzzTests {
    struct Corruption {
        let label: String
        let bytes: Data
    }

    /// Values each metadata entry is replaced with: empty, JSON of every type, numbers at and
    /// past the edges, long and deep values, text with line breaks.
    static let replacements: [String] = [
        "", " ", "null", "[]", "{}", "[1,2]", "[1,2,3]", "NaN", "nan", "-1", "0", "-0", "1", "0.5", "1e999", "-1e999", "inf",
        "true", "\"text\"", #"{"a":1}"#, "[[1]]", #"["a",1]"#, #"["a","b","c"]"#, #"["", "b", "c"]"#, #"["y"]"#, "[8,8]",
        "[" + Array(repeating: "1", count: 20_000).joined(separator: ",") + "]",
        "[" + (0..<5_000).map { "\"c\($0)\"" }.joined(separator: ",") + "]",
        String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        String(repeating: "x", count: 100_000),
        "calibrated\n", " trained", "source,target,source", "mlp:3-8-8-1:relu", "mlp:3-8-8-2:tanh", "mlp:3-99999999-1:tanh",
        "resnet:1:4-8:3:heads=2,1", "resnet:1:4-8:3:heads=1,1",
        #"{"inputMean":[0,0,0],"inputStd":[1,1,1]}"#, #"{"inputMean":[0,0,0],"inputStd":[1,1,1],"targetMean":[0],"targetStd":[1]}"#,
        #"{"inputMean":[0,0,0,0,0],"inputStd":[1,1,1,1,1]}"#, #"{"inputMean":[0,0,0],"inputStd":[1,0,1]}"#,
        #"{"inputMean":[0,0,0],"inputStd":[1,1,1],"targetMean":[0,0,0],"targetStd":[1,1,1]}"#,
        "\u{0}", "\u{2028}", "\u{FFFD}\u{FFFD}",
    ]

    /// Random text: bytes decoded as UTF-8 (invalid sequences become U+FFFD), control characters included.
    static func randomText(_ rng: inout RandomGenerator) -> String {
        let bytes = (0..<(1 + rng.integer(below: 40))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Metadata corruptions: every entry replaced by every value (and by every other entry's
    /// valid value, and random text), every entry deleted, unknown `pacnet.*` keys added.
    static func metadataCorruptions(of file: SafetensorsFile, rng: inout RandomGenerator) -> [Corruption] {
        var corruptions: [Corruption] = []
        func add(_ label: String, _ change: (inout [String: String]) -> Void) {
            var changed = file
            change(&changed.metadata)
            corruptions.append(Corruption(label: label, bytes: changed.encode()))
        }
        let keys = file.metadata.keys.sorted()
        let validValues = keys.compactMap { file.metadata[$0] }
        for key in keys {
            for (index, value) in (replacements + validValues).enumerated() {
                add("\(key) = replacement \(index)") { $0[key] = value }
            }
            for index in 0..<3 {
                let text = randomText(&rng)
                add("\(key) = random text \(index)") { $0[key] = text }
            }
            add("\(key) deleted") { $0[key] = nil }
        }
        for key in ["pacnet.foo", "pacnet.Stage", "pacnet.standardisation", "pacnet.", "pacnet.version.2"] {
            add("unknown key \(key)") { $0[key] = "1" }
        }
        // Pairs of deletions, which reach the defaults together (no stage and no tasks, ...).
        for _ in 0..<20 {
            let first = keys[rng.integer(below: keys.count)], second = keys[rng.integer(below: keys.count)]
            add("\(first) and \(second) deleted") { $0[first] = nil; $0[second] = nil }
        }
        return corruptions
    }

    /// The standardization object changed inside: lists lengthened, shortened, emptied, nulled
    /// or dropped, single entries set to edge values, keys duplicated or added.
    static func standardizationCorruptions(of file: SafetensorsFile) throws -> [Corruption] {
        let json = try #require(file.metadata["pacnet.standardization"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [Double]])
        var corruptions: [Corruption] = []
        func add(_ label: String, _ text: String) {
            var changed = file
            changed.metadata["pacnet.standardization"] = text
            corruptions.append(Corruption(label: "standardization: \(label)", bytes: changed.encode()))
        }
        func text(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
        }
        for key in object.keys.sorted() {
            let list = object[key]!
            for (label, value) in [("longer", list + [1]), ("shorter", Array(list.dropLast())), ("empty", []), ("tripled", list + list + list)] as [(String, [Double])] {
                var changed = object
                changed[key] = value
                add("\(key) \(label)", try text(changed))
            }
            for edge in [0, -1, -0.0, 1e-45, 1e-38, 3.5e38, 1e300, -1e300] {
                var changed = object
                changed[key] = [edge] + list.dropFirst()
                add("\(key)[0] = \(edge)", try text(changed))
            }
            var dropped: [String: Any] = object
            dropped[key] = nil
            add("\(key) dropped", try text(dropped))
            var nulled: [String: Any] = object
            nulled[key] = NSNull()
            add("\(key) null", try text(nulled))
            var wrong: [String: Any] = object
            wrong[key] = "1,2,3"
            add("\(key) a string", try text(wrong))
        }
        add("duplicate key", "{\"inputMean\":[0,0,0]," + json.dropFirst())
        add("extra key", String(json.dropLast()) + ",\"extra\":[1]}")
        add("nested", "{\"inputMean\":[[0],[0],[0]],\"inputStd\":[1,1,1]}")
        return corruptions
    }

    /// Byte corruptions: the file cut at many offsets, bytes of the 8-byte header length and of
    /// the JSON header flipped.
    static func byteCorruptions(of bytes: Data, rng: inout RandomGenerator) -> [Corruption] {
        var corruptions: [Corruption] = []
        let headerLength = Int(bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var cuts = Array(0..<24) + [8 + headerLength - 1, 8 + headerLength, 8 + headerLength + 1, bytes.count - 4, bytes.count - 1]
        for _ in 0..<60 { cuts.append(rng.integer(below: bytes.count)) }
        for cut in cuts { corruptions.append(Corruption(label: "cut at \(cut)", bytes: bytes.prefix(cut))) }
        for index in 0..<8 {
            for mask: UInt8 in [0x01, 0x02, 0x80, 0xFF] {
                var changed = bytes
                changed[index] ^= mask
                corruptions.append(Corruption(label: "length byte \(index) ^ \(mask)", bytes: changed))
            }
        }
        for flip in 0..<250 {
            var changed = bytes
            let index = 8 + rng.integer(below: headerLength)
            // Small masks mostly keep ASCII, so the JSON still parses and reaches the checks behind it.
            let mask = flip % 2 == 0 ? UInt8(1 + rng.integer(below: 15)) : UInt8(1 + rng.integer(below: 255))
            changed[index] ^= mask
            corruptions.append(Corruption(label: "header byte \(index) ^ \(mask)", bytes: changed))
        }
        return corruptions
    }

    /// Loads every corruption; a loaded model must predict finite values for each task it
    /// serves, a refused one must say why in one line naming the file. Returns the number loaded.
    @discardableResult
    static func check(_ corruptions: [Corruption]) throws -> (loaded: Int, refused: Int) {
        var loaded = 0, refused = 0
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("model.safetensors")
            for corruption in corruptions {
                try corruption.bytes.write(to: URL(fileURLWithPath: path))
                let model: ModelFile
                do throws(WorkflowError) {
                    model = try ModelFile.load(path: path)
                } catch {
                    refused += 1
                    #expect(!error.description.contains("\n"), "\(corruption.label): not one line: \(error)")
                    #expect(error.description.contains("model.safetensors"), "\(corruption.label): does not name the file: \(error)")
                    continue
                }
                loaded += 1
                try predictFinite(model, corruption.label)
            }
        }
        return (loaded, refused)
    }

    /// Predictions of every task the model serves, on inputs of the shape it takes.
    static func predictFinite(_ model: ModelFile, _ label: String) throws {
        var rng = RandomGenerator(seed: 7, stream: "tests/fuzz-inputs")
        let architecture = model.architecture
        let size = model.imageSize ?? ImageSize(height: 8, width: 8)
        let inputs = architecture.takesImages
            ? rng.uniformTensor(shape: [2, architecture.inputWidth, size.height, size.width])
            : rng.uniformTensor(shape: [5, architecture.inputWidth], low: -1, high: 1)
        try Workflow.checkInputs(inputs, file: "inputs", featureNames: model.features ?? [], fit: model)
        for task in TaskSide.allCases {
            let network: any Layer
            do { network = try model.model(for: task) } catch { continue }  // a clean refusal (target of an uncalibrated model)
            let outputs = Prediction.outputs(network, inputs: inputs, standardization: model.standardization)
            #expect(outputs.shape == [inputs.shape[0], architecture.outputWidth(for: task)], "\(label): \(task) output shape \(outputs.shape)")
            #expect(outputs.isFinite, "\(label): \(task) predictions are not finite")
            _ = model.outputNames(for: task)
        }
    }

    @Test func corruptedCalibratedMLPFilesLoadOrFailCleanly() throws {
        let file = try TinyPipeline().calibrated.safetensors
        try #require(file.metadata["pacnet.standardization"] != nil && file.metadata["pacnet.stage"] == "calibrated")
        var rng = RandomGenerator(seed: 12, stream: "tests/model-file-fuzz")
        let corruptions = Self.metadataCorruptions(of: file, rng: &rng) + (try Self.standardizationCorruptions(of: file))
            + Self.byteCorruptions(of: file.encode(), rng: &rng)
        #expect(corruptions.count > 700)
        let (loaded, refused) = try Self.check(corruptions)
        // Both outcomes occur: harmless changes (a valid lambda, a deleted name list) load.
        #expect(loaded > 20 && refused > 600, "loaded \(loaded), refused \(refused)")
    }

    @Test func corruptedResNetFilesLoadOrFailCleanly() throws {
        let file = try ModelMetadataTests.resNetFile(pruned: true)
        var rng = RandomGenerator(seed: 13, stream: "tests/model-file-fuzz")
        let corruptions = Self.metadataCorruptions(of: file, rng: &rng)
        let (loaded, refused) = try Self.check(corruptions)
        #expect(loaded > 10 && refused > 300, "loaded \(loaded), refused \(refused)")
    }
}
