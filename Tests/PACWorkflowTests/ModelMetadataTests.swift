import Foundation
import PACEngine
import PACIO
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// Model files are never trusted: every `pacnet.*` metadata field is checked on load against the
/// architecture, the tensors and the other fields, and a bad one gives one exact line naming the
/// file and the field. The files are valid ones with one entry rewritten.
struct ModelMetadataTests {
    /// The tiny standardized MLP (`mlp:3-8-8-1:tanh`, mse, features a,b,c, target y) at `stage`.
    static func mlpFile(_ stage: PACNetStage = .calibrated) throws -> SafetensorsFile {
        try TinyPipeline().model(at: stage).safetensors
    }

    /// `tinyResNet` (2 source and 1 target attributes, bce, 8x8 images) with its initial weights,
    /// trained or pruned.
    static func resNetFile(pruned: Bool = false) throws -> SafetensorsFile {
        var rng = RandomGenerator(seed: 5)
        var model = ModelFile(architecture: tinyResNet, network: tinyResNet.makeNetwork(rng: &rng), stage: .trained, loss: .bce)
        model.targets = ["red", "left"]
        model.imageSize = ImageSize(height: 8, width: 8)
        if pruned { model = try Workflow.prune(model, pruning: MagnitudePruning(ratio: 0.5)) }
        return model.safetensors
    }

    /// The error loading `file` (written as `model.safetensors`) gives, or "" if it loads.
    static func loadError(_ file: SafetensorsFile) throws -> String {
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("model.safetensors")
            try file.write(to: path, overwrite: false)
            do {
                _ = try ModelFile.load(path: path)
                return ""
            } catch let error as WorkflowError {
                #expect(!error.description.contains("\n"), "one line: \(error)")
                return error.description
            }
        }
    }

    /// The error of the MLP file at `stage` with `key` set to `value` (nil: removed).
    static func mlpError(_ key: String, _ value: String?, stage: PACNetStage = .calibrated) throws -> String {
        var file = try mlpFile(stage)
        file.metadata[key] = value
        return try loadError(file)
    }

    static func resNetError(_ key: String, _ value: String?, pruned: Bool = false) throws -> String {
        var file = try resNetFile(pruned: pruned)
        file.metadata[key] = value
        return try loadError(file)
    }

    static let prefix = "model.safetensors: metadata "

    // MARK: The file and the architecture

    @Test func theValidFilesLoad() throws {
        try withScratchDirectory { directory in
            for (index, file) in [try Self.mlpFile(.trained), try Self.mlpFile(.pruned), try Self.mlpFile(.calibrated),
                                  try Self.resNetFile(), try Self.resNetFile(pruned: true)].enumerated() {
                let path = (directory as NSString).appendingPathComponent("\(index).safetensors")
                try file.write(to: path, overwrite: false)
                _ = try ModelFile.load(path: path)
            }
        }
    }

    @Test func aFileThatIsNotSafetensorsSaysSo() throws {
        try withScratchDirectory { directory in
            let csv = try writeFile("a,b,c,y\n1,2,3,4\n", "data.csv", in: directory)
            let error = workflowError { try ModelFile.load(path: csv) }
            #expect(error?.description == "\(csv) is not a safetensors file (header length 754683217019284577 exceeds the file size 16)")
            let tiny = try writeFile("abc", "tiny.safetensors", in: directory)
            #expect(workflowError { try ModelFile.load(path: tiny) }?.description
                    == "\(tiny) is not a safetensors file (file is 3 bytes, too small for the 8-byte header length)")
        }
    }

    @Test func architectureMustParse() throws {
        #expect(try Self.mlpError("pacnet.architecture", "mlp:3-8")
                == Self.prefix + "pacnet.architecture: architecture 'mlp:3-8' is not of the form \(Architecture.mlpGrammar) or \(ResNetArchitecture.grammar)")
        // File text is shown on one line and cut short.
        let long = "mlp:3-8-1:tanh\n" + String(repeating: "x", count: 500)
        #expect(try Self.mlpError("pacnet.architecture", long)
                == Self.prefix + #"pacnet.architecture: architecture 'mlp:3-8-1:tanh\n"# + String(repeating: "x", count: 45)
                + "...' is not of the form \(Architecture.mlpGrammar) or \(ResNetArchitecture.grammar)")
    }

    /// An architecture far larger than the file is refused before it is built (building it
    /// would exhaust memory or overflow the element count).
    @Test(arguments: ["mlp:3-9223372036854775807-1:tanh", "mlp:3-4000000000-4000000000-1:tanh",
                      "resnet:1:4-8:3:heads=2,9223372036854775807", "resnet:999999999999:4-8:3:heads=2,1"])
    func architecturesBeyondWhatPacnetTrainsAreRefusedWhenParsed(text: String) throws {
        let file = try Self.mlpFile()
        var changed = file
        changed.metadata["pacnet.architecture"] = text
        let expected = "architecture '\(text)' has more than \(Architecture.largestParameterCount) parameters, the most pacnet trains"
        #expect(workflowError { try Architecture(parsing: text) }?.description == expected)
        #expect(try Self.loadError(changed) == Self.prefix + "pacnet.architecture: " + expected)
    }

    @Test(arguments: ["mlp:3-100000-1:tanh", "mlp:3-8-8-8-8-8-1:tanh", "resnet:1:4-8:3:heads=2,1"])
    func architectureMustFitTheFile(text: String) throws {
        let file = try Self.mlpFile()
        let values = file.tensors.reduce(0) { $0 + $1.tensor.count }
        var changed = file
        changed.metadata["pacnet.architecture"] = text
        let architecture = try Architecture(parsing: text)
        #expect(try Self.loadError(changed)
                == Self.prefix + "pacnet.architecture: architecture \(architecture) needs more parameters than the \(values) values the file holds")
        // The same through an explicit architecture (--arch).
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("model.safetensors")
            try file.write(to: path, overwrite: false)
            #expect(workflowError { try ModelFile.load(path: path, architecture: architecture) }?.description
                    == "model.safetensors: architecture \(architecture) needs more parameters than the \(values) values the file holds")
        }
    }

    @Test(arguments: ["mlp:3-8-8-1:tanh", "mlp:7-1:relu", "mlp:3-100-100-100-5:relu", "resnet:1:4-8:3:heads=2,1",
                      "resnet:2:8-16-32:1:heads=40,5", "resnet:1:16-16:3:heads=1,1"])
    func parameterCountIsTheNetworks(text: String) throws {
        let architecture = try Architecture(parsing: text)
        var rng = RandomGenerator(seed: 1)
        let count = architecture.makeNetwork(rng: &rng).parameterCount
        #expect(architecture.parameterCount(atMost: count) == count)
        #expect(architecture.parameterCount(atMost: count - 1) == nil)
    }

    @Test func versionMustBeOne() throws {
        #expect(try Self.mlpError("pacnet.version", "2") == Self.prefix + "pacnet.version: version '2' is not supported (this pacnet reads version 1)")
        #expect(try Self.mlpError("pacnet.version", nil) == "")
    }

    @Test func unknownPacnetKeysAreRefused() throws {
        #expect(try Self.mlpError("pacnet.standardisation", "{}")
                == Self.prefix + "pacnet.standardisation: unknown key (a model file's are \(ModelMetadata.keys.joined(separator: ", ")))")
        // Other tools' keys are kept, not checked.
        var file = try Self.mlpFile()
        file.metadata["torch.note"] = "anything"
        #expect(try Self.loadError(file) == "")
    }

    // MARK: Stage, tasks, loss

    @Test func stageMustBeKnownAndAgreeWithTheMasks() throws {
        #expect(try Self.mlpError("pacnet.stage", "finetuned")
                == Self.prefix + "pacnet.stage: unknown stage 'finetuned' (expected trained, pruned, allocated or calibrated)")
        #expect(try Self.mlpError("pacnet.stage", "trained", stage: .allocated)
                == Self.prefix + "pacnet.stage: stage 'trained' has no masks, but the file holds the mask 'layers.0.weight_mask'")
        for stage in ["pruned", "allocated", "calibrated"] {
            #expect(try Self.mlpError("pacnet.stage", stage, stage: .trained)
                    == Self.prefix + "pacnet.stage: stage '\(stage)' needs masks, but the file holds no '<parameter>_mask' tensor")
        }
        #expect(try Self.resNetError("pacnet.stage", "trained", pruned: true)
                == Self.prefix + "pacnet.stage: stage 'trained' has no masks, but the file holds the mask 'backbone.stem.0.weight_mask'")
    }

    @Test func tasksMustBeTheStages() throws {
        #expect(try Self.mlpError("pacnet.tasks", "source")
                == Self.prefix + "pacnet.tasks: 'source' disagrees with stage 'calibrated', which serves source,target")
        #expect(try Self.mlpError("pacnet.tasks", "source,target", stage: .allocated)
                == Self.prefix + "pacnet.tasks: 'source,target' disagrees with stage 'allocated', which serves source")
        #expect(try Self.mlpError("pacnet.tasks", "target,source")
                == Self.prefix + "pacnet.tasks: 'target,source' disagrees with stage 'calibrated', which serves source,target")
        // Without a stage, an allocated file's is inferred from its masks.
        var file = try Self.mlpFile(.calibrated)
        file.metadata["pacnet.stage"] = nil
        #expect(try Self.loadError(file)
                == Self.prefix + "pacnet.tasks: 'source,target' disagrees with stage 'allocated', which serves source")
    }

    @Test func lossMustBeKnownAndFitTheArchitecture() throws {
        #expect(try Self.mlpError("pacnet.loss", "l1") == Self.prefix + "pacnet.loss: unknown loss 'l1' (expected mse, bce or ce)")
        #expect(try Self.resNetError("pacnet.loss", "mse")
                == Self.prefix + "pacnet.loss: architecture resnet:1:4-8:3:heads=2,1 learns 0/1 attributes with loss bce, not mse")
    }

    // MARK: Names

    @Test func featuresNameEachInputOnce() throws {
        let key = "pacnet.features"
        #expect(try Self.mlpError(key, #"["a","b"]"#) == Self.prefix + "pacnet.features: has 2 names, but the architecture takes 3 inputs")
        #expect(try Self.mlpError(key, #"["a","b","c","d"]"#) == Self.prefix + "pacnet.features: has 4 names, but the architecture takes 3 inputs")
        #expect(try Self.mlpError(key, #"["a","","c"]"#) == Self.prefix + "pacnet.features: name 2 of 3 is empty")
        #expect(try Self.mlpError(key, #"["a","b","a"]"#) == Self.prefix + "pacnet.features: names 'a' twice")
        for bad in ["", "null", "{}", "a,b,c", #"["a","b",3]"#, #"[["a"],"b","c"]"#, #""abc""#] {
            #expect(try Self.mlpError(key, bad) == Self.prefix + "pacnet.features: '\(bad)' is not a JSON list of strings")
        }
        #expect(try Self.resNetError(key, #"["r","g","b"]"#)
                == Self.prefix + "pacnet.features: architecture resnet:1:4-8:3:heads=2,1 takes images, which have no feature columns")
    }

    @Test func targetsNameEachOutput() throws {
        #expect(try Self.mlpError("pacnet.targets", #"["y","z","w"]"#) == Self.prefix + "pacnet.targets: has 3 names, but the architecture has 1 output")
        #expect(try Self.mlpError("pacnet.targets", "[]") == Self.prefix + "pacnet.targets: has 0 names, but the architecture has 1 output")
        #expect(try Self.mlpError("pacnet.targets", #"["b"]"#) == Self.prefix + "pacnet.targets: 'b' is also a feature column (pacnet.features)")
        #expect(try Self.mlpError("pacnet.targets", #"[1]"#) == Self.prefix + "pacnet.targets: '[1]' is not a JSON list of strings")
        #expect(try Self.resNetError("pacnet.targets", #"["red"]"#)
                == Self.prefix + "pacnet.targets: has 1 name, but the architecture has 2 outputs for the source task")
        // ce: one class column whatever the number of outputs.
        var file = try Self.mlpFile(.trained)
        (file.metadata["pacnet.loss"], file.metadata["pacnet.standardization"]) = ("ce", nil)
        file.metadata["pacnet.targets"] = #"["y","z"]"#
        #expect(try Self.loadError(file) == Self.prefix + "pacnet.targets: has 2 names, but loss ce has exactly one class column")
        file.metadata["pacnet.targets"] = #"["label"]"#
        #expect(try Self.loadError(file) == "")
    }

    @Test func targetTaskTargetsNameTheTargetTasksOutputs() throws {
        let key = "pacnet.target_task_targets"
        #expect(try Self.mlpError(key, #"["z","w"]"#) == Self.prefix + "pacnet.target_task_targets: has 2 names, but the architecture has 1 output")
        #expect(try Self.mlpError(key, #"["z"]"#, stage: .allocated)
                == Self.prefix + "pacnet.target_task_targets: stage 'allocated' serves only the source task; its target task has no names before calibration")
        // The target task may reuse a source name.
        #expect(try Self.mlpError(key, #"["y"]"#) == "")
        var file = try Self.resNetFile()
        file.metadata["pacnet.stage"] = "trained"
        file.metadata[key] = #"["top"]"#
        #expect(try Self.loadError(file)
                == Self.prefix + "pacnet.target_task_targets: stage 'trained' serves only the source task; its target task has no names before calibration")
    }

    // MARK: Standardization

    /// The calibrated MLP's standardization JSON with `change` applied to its object.
    static func standardizationError(_ change: (inout [String: Any]) -> Void, loss: String? = nil) throws -> String {
        var file = try mlpFile()
        let json = try #require(file.metadata["pacnet.standardization"])
        var object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        change(&object)
        file.metadata["pacnet.standardization"] = String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
        if let loss { file.metadata["pacnet.loss"] = loss }
        return try loadError(file)
    }

    static let standardization = prefix + "pacnet.standardization: "

    @Test func standardizationLengthsFitTheArchitecture() throws {
        #expect(try Self.standardizationError { $0["inputMean"] = [0.5, 1, 2, 3, 4] }
                == Self.standardization + "inputMean has 5 values, but the architecture takes 3 inputs")
        #expect(try Self.standardizationError { $0["inputStd"] = [1, 2] }
                == Self.standardization + "inputStd has 2 values, but the architecture takes 3 inputs")
        #expect(try Self.standardizationError { $0["targetMean"] = [0, 1, 2] }
                == Self.standardization + "targetMean has 3 values, but the architecture has 1 output")
        #expect(try Self.standardizationError { $0["targetStd"] = [] as [Double] }
                == Self.standardization + "targetStd has 0 values, but the architecture has 1 output")
    }

    @Test func standardizationStatisticsAreMeaningful() throws {
        #expect(try Self.standardizationError { $0["inputStd"] = [1, 0, 2] }
                == Self.standardization + "inputStd[1] is 0, but a standard deviation is at least 1e-12")
        #expect(try Self.standardizationError { $0["targetStd"] = [-2.5] }
                == Self.standardization + "targetStd[0] is -2.5, but a standard deviation is at least 1e-12")
        // Positive but below any computed statistic: dividing by it overflows.
        #expect(try Self.standardizationError { $0["inputStd"] = [1, 1, 1e-45] }
                == Self.standardization + "inputStd[2] is 1e-45, but a standard deviation is at least 1e-12")
        #expect(try Self.standardizationError { $0["inputStd"] = [1, 1, 1e-12] } == "")
        #expect(try Self.standardizationError { $0["inputMean"] = [1, 2, 1e39] }
                == Self.standardization + "inputMean[2] is 1e+39, which is not a finite 32-bit float")
        #expect(try Self.standardizationError { $0["inputMean"] = [1, "2", 3] }
                == Self.standardization + "inputMean[1] is not a number")
        #expect(try Self.standardizationError { $0["inputStd"] = 1 }
                == Self.standardization + "inputStd is not a list of numbers")
        #expect(try Self.standardizationError { $0["inputStd"] = nil }
                == Self.standardization + "has no inputStd")
        #expect(try Self.standardizationError { $0["targetStd"] = nil }
                == Self.standardization + "has targetMean without targetStd")
        #expect(try Self.standardizationError { $0["scale"] = [1] }
                == Self.standardization + "has the unknown key 'scale' (it holds inputMean, inputStd, targetMean and targetStd)")
        for bad in ["", "null", "[]", "NaN", #"{"inputMean":[1,2,3],"inputMean":[1,2,3],"inputStd":[1,1,1]}"#,
                    #"{"inputMean":[NaN,0,0],"inputStd":[1,1,1]}"#] {
            #expect(try Self.mlpError("pacnet.standardization", bad)
                    == Self.standardization + "'\(bad)' is not a JSON object of inputMean and inputStd (and, for mse, targetMean and targetStd) lists of numbers")
        }
        // Target statistics may be absent (classification) or null.
        #expect(try Self.standardizationError({ $0["targetMean"] = NSNull(); $0["targetStd"] = NSNull() }) == "")
    }

    @Test func onlyRegressionStandardizesTargets() throws {
        for loss in ["bce", "ce"] {
            #expect(try Self.standardizationError({ _ in }, loss: loss)
                    == Self.standardization + "has target statistics, but only regression (loss mse) standardizes targets, not loss \(loss)")
            #expect(try Self.standardizationError({ $0["targetMean"] = nil; $0["targetStd"] = nil }, loss: loss) == "")
        }
    }

    @Test func imageModelsAreNotStandardized() throws {
        let json = Standardization(inputMean: [0, 0, 0], inputStd: [1, 1, 1]).json
        #expect(try Self.resNetError("pacnet.standardization", json)
                == Self.standardization + "architecture resnet:1:4-8:3:heads=2,1 takes images, which are not standardized (pixels are scaled to [0, 1])")
    }

    /// The issue's crash: a wrong-length mean used to reach `Tensor.zipWith`'s precondition in
    /// predict and evaluate; now loading refuses the file.
    @Test func wrongLengthStatisticsNeverReachPrediction() throws {
        var file = try Self.mlpFile()
        let standardization = try Standardization(json: try #require(file.metadata["pacnet.standardization"]))
        file.metadata["pacnet.standardization"] = Standardization(
            inputMean: [1, 2, 3, 4, 5], inputStd: standardization.inputStd,
            targetMean: standardization.targetMean, targetStd: standardization.targetStd).json
        #expect(try Self.loadError(file) == Self.standardization + "inputMean has 5 values, but the architecture takes 3 inputs")
    }

    // MARK: Image size, ratio, lambda, masks, tensors

    @Test func imageSizeIsAnImageModelsPositiveSize() throws {
        for bad in ["[8]", "[8,0]", "[-8,8]", "[8.5,8]", "[8,8,3]", #"["8","8"]"#, "8x8", "null", "[99999999999999999999,8]"] {
            #expect(try Self.resNetError("pacnet.image_size", bad)
                    == Self.prefix + "pacnet.image_size: '\(bad)' is not a JSON [height, width] of positive integers")
        }
        #expect(try Self.resNetError("pacnet.image_size", "[16, 12]") == "")
        #expect(try Self.mlpError("pacnet.image_size", "[8,8]")
                == Self.prefix + "pacnet.image_size: architecture mlp:3-8-8-1:tanh takes feature rows, not images")
    }

    @Test func ratioIsAPruningRatioOfAPrunedModel() throws {
        for bad in ["0", "1", "-0.5", "nan", "half", ""] {
            #expect(try Self.mlpError("pacnet.ratio", bad) == Self.prefix + "pacnet.ratio: '\(bad)' is not a pruning ratio in (0, 1)")
        }
        var file = try Self.mlpFile(.trained)
        file.metadata["pacnet.ratio"] = "0.5"
        #expect(try Self.loadError(file) == Self.prefix + "pacnet.ratio: stage 'trained' is not pruned, so it has no pruning ratio")
    }

    @Test func lambdaIsAPenaltyStrengthOfACalibratedModel() throws {
        for bad in ["-1", "inf", "nan", "1e999", "strong"] {
            #expect(try Self.mlpError("pacnet.lambda", bad) == Self.prefix + "pacnet.lambda: '\(bad)' is not a penalty strength (a finite number >= 0)")
        }
        #expect(try Self.mlpError("pacnet.lambda", "0.01", stage: .allocated)
                == Self.prefix + "pacnet.lambda: stage 'allocated' is not calibrated, so it has no calibration penalty strength")
    }

    /// Masks from pruning on keep some entries for the source task and free some for the target.
    @Test(arguments: [Float(0), 1])
    func masksLeaveEntriesForBothTasks(fill: Float) throws {
        let original = try Self.mlpFile(.allocated)
        let tensors = original.tensors.map { entry -> (name: String, tensor: Tensor) in
            entry.name.hasSuffix("_mask") ? (entry.name, Tensor(shape: entry.tensor.shape, scalars: .init(repeating: fill, count: entry.tensor.count))) : entry
        }
        #expect(try Self.loadError(SafetensorsFile(tensors: tensors, metadata: original.metadata))
                == "model.safetensors: the masks keep \(fill == 0 ? 0 : 96) of 96 entries, but a model at stage 'allocated' keeps some for the source task and frees some for the target task")
    }

    @Test func runningVariancesAreNotNegative() throws {
        let original = try Self.resNetFile()
        let tensors = original.tensors.map { entry -> (name: String, tensor: Tensor) in
            entry.name == "backbone.stem.1.running_var" ? (entry.name, Tensor(shape: entry.tensor.shape, scalars: [1, 1, -0.5, 1])) : entry
        }
        #expect(try Self.loadError(SafetensorsFile(tensors: tensors, metadata: original.metadata))
                == "model.safetensors: tensor 'backbone.stem.1.running_var' holds a negative variance")
    }
}
