import Foundation
import PACEngine
import PACIO
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// Model files: what a save writes, what a load restores, and what a load refuses.
struct ModelFileTests {
    @Test(arguments: PACNetStage.allCases)
    func saveThenLoadRestoresEverything(stage: PACNetStage) throws {
        let pipeline = try TinyPipeline()
        let model = pipeline.model(at: stage)
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("\(stage.rawValue).safetensors")
            try model.save(to: path, overwrite: false)
            let loaded = try ModelFile.load(path: path)

            #expect(loaded.architecture == model.architecture)
            #expect(loaded.architecture.description == "mlp:3-8-8-1:tanh")
            #expect(parameterBits(loaded.network) == parameterBits(model.network))
            #expect(loaded.network.stateDict().map(\.name) == model.network.stateDict().map(\.name))
            #expect(loaded.stage == stage)
            #expect(loaded.stage.sides == (stage == .calibrated ? [.source, .target] : [.source]))
            #expect(loaded.loss == .mse)
            #expect(loaded.features == ["a", "b", "c"])
            #expect(loaded.targets == ["y"])
            #expect(loaded.targetTaskTargets == (stage == .calibrated ? ["z"] : nil))
            #expect(loaded.standardization == model.standardization)
            #expect(loaded.standardization != nil)
            #expect(loaded.ratio == (stage == .trained ? nil : 0.5))
            #expect(loaded.lambda?.value == (stage == .calibrated ? Float(0.01) : nil))
            #expect(loaded.lambda == model.lambda)

            if stage == .trained {
                #expect(loaded.masks == nil)
            } else {
                let masks = try #require(loaded.masks), expected = try #require(model.masks)
                #expect(masks.masks.map(\.name) == expected.masks.map(\.name))
                for ((_, mask), (_, original)) in zip(masks.masks, expected.masks) { #expect(bits(mask) == bits(original)) }
            }
        }
    }

    @Test func tensorNamesAndMetadataAreTheDocumentedOnes() throws {
        let pipeline = try TinyPipeline()
        try withScratchDirectory { directory in
            let trainedPath = (directory as NSString).appendingPathComponent("trained.safetensors")
            let calibratedPath = (directory as NSString).appendingPathComponent("calibrated.safetensors")
            try pipeline.trained.save(to: trainedPath, overwrite: false)
            try pipeline.calibrated.save(to: calibratedPath, overwrite: false)

            let parameters = ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias"]
            let trained = try SafetensorsFile.read(path: trainedPath)
            #expect(Set(trained.names) == Set(parameters))
            #expect(trained.metadata["pacnet.architecture"] == "mlp:3-8-8-1:tanh")
            #expect(trained.metadata["pacnet.stage"] == "trained")

            // Biases are not pruned by default, so only weights carry masks.
            let calibrated = try SafetensorsFile.read(path: calibratedPath)
            #expect(Set(calibrated.names) == Set(parameters + ["layers.0.weight_mask", "layers.2.weight_mask", "layers.4.weight_mask"]))
            #expect(calibrated["layers.0.weight_mask"]?.shape == [8, 3])
            #expect(calibrated["layers.0.weight"]?.shape == [8, 3])
            #expect(calibrated["layers.4.bias"]?.shape == [1])
            #expect(calibrated.metadata["pacnet.architecture"] == "mlp:3-8-8-1:tanh")
            #expect(calibrated.metadata["pacnet.stage"] == "calibrated")
            #expect(calibrated.metadata["pacnet.tasks"] == "source,target")
            #expect(calibrated.metadata["format"] == "pt")
        }
    }

    @Test(arguments: [PACNetStage.trained, .pruned, .allocated])
    func targetNetworkNeedsACalibratedModel(stage: PACNetStage) throws {
        let model = try TinyPipeline().model(at: stage)
        let error = workflowError { try model.model(for: .target) }
        #expect(error?.description.contains("calibrate") == true, "\(String(describing: error))")
        #expect(error?.description.contains(stage.rawValue) == true, "\(String(describing: error))")
        _ = try model.model(for: .source)
    }

    @Test func calibratedSourceNetworkIsTheAllocatedNetworkBitForBit() throws {
        let pipeline = try TinyPipeline()
        let inputs = pipeline.source.inputs
        let allocated = pipeline.allocated.network.predict(inputs)
        let source = try pipeline.calibrated.model(for: .source)
        #expect(bits(source.predict(inputs)) == bits(allocated))
        #expect(parameterBits(source) == parameterBits(pipeline.allocated.network))
        // The target network really is different (calibration trained the pruned entries).
        #expect(bits(try pipeline.calibrated.model(for: .target).predict(inputs)) != bits(allocated))

        // And the same after a trip through a file.
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("m.safetensors")
            try pipeline.calibrated.save(to: path, overwrite: false)
            let loaded = try ModelFile.load(path: path)
            #expect(bits(try loaded.model(for: .source).predict(inputs)) == bits(allocated))
        }
    }

    // MARK: Load errors

    /// Writes `file` (a mutated model file) and returns the error loading it gives.
    private func loadError(_ file: SafetensorsFile, architecture: Architecture? = nil) throws -> String {
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("bad.safetensors")
            try file.write(to: path, overwrite: false)
            return workflowError { try ModelFile.load(path: path, architecture: architecture) }?.description ?? ""
        }
    }

    private func pipelineFile() throws -> SafetensorsFile { try TinyPipeline().allocated.safetensors }

    @Test func missingArchitectureMetadataAsksForArch() throws {
        var file = try pipelineFile()
        file.metadata["pacnet.architecture"] = nil
        let message = try loadError(file)
        #expect(message.contains("bad.safetensors"), "\(message)")
        #expect(message.contains("--arch"), "\(message)")
        #expect(message.contains("pacnet.architecture"), "\(message)")
        // With an architecture given, the same file loads.
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("ok.safetensors")
            try file.write(to: path, overwrite: false)
            #expect(try ModelFile.load(path: path, architecture: tinyArchitecture).stage == .allocated)
        }
    }

    @Test func shapesMustMatchTheArchitecture() throws {
        let message = try loadError(try pipelineFile(), architecture: Architecture(sizes: [3, 9, 8, 1], activation: .tanh))
        #expect(message == "bad.safetensors: tensor 'layers.0.weight' has shape [8, 3], but architecture mlp:3-9-8-1:tanh needs [9, 3]")
    }

    @Test func everyParameterTensorMustBePresent() throws {
        let original = try pipelineFile()
        let file = SafetensorsFile(tensors: original.tensors.filter { $0.name != "layers.2.bias" }, metadata: original.metadata)
        let message = try loadError(file)
        #expect(message == "bad.safetensors has no tensor 'layers.2.bias', which architecture mlp:3-8-8-1:tanh needs")
    }

    @Test func extraTensorsAreRejected() throws {
        let original = try pipelineFile()
        let file = SafetensorsFile(tensors: original.tensors + [(name: "layers.6.weight", tensor: Tensor(zeros: [1, 1]))],
                                   metadata: original.metadata)
        let message = try loadError(file)
        #expect(message == "bad.safetensors: unexpected tensor 'layers.6.weight' for architecture mlp:3-8-8-1:tanh")
    }

    @Test(arguments: [Float(0.5), 2, -1, .nan])
    func masksHoldOnlyZerosAndOnes(bad: Float) throws {
        let original = try pipelineFile()
        let tensors = original.tensors.map { entry -> (name: String, tensor: Tensor) in
            guard entry.name == "layers.2.weight_mask" else { return entry }
            var scalars = entry.tensor.scalars
            scalars[5] = bad
            return (entry.name, Tensor(shape: entry.tensor.shape, scalars: scalars))
        }
        let message = try loadError(SafetensorsFile(tensors: tensors, metadata: original.metadata))
        #expect(message == "bad.safetensors: mask 'layers.2.weight_mask' must have shape [8, 8] and hold only 0 and 1")
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func parametersMustBeFinite(bad: Float) throws {
        let original = try pipelineFile()
        let tensors = original.tensors.map { entry -> (name: String, tensor: Tensor) in
            guard entry.name == "layers.4.weight" else { return entry }
            var scalars = entry.tensor.scalars
            scalars[3] = bad
            return (entry.name, Tensor(shape: entry.tensor.shape, scalars: scalars))
        }
        let message = try loadError(SafetensorsFile(tensors: tensors, metadata: original.metadata))
        #expect(message == "bad.safetensors: tensor 'layers.4.weight' contains NaN or infinite values")
    }
}
