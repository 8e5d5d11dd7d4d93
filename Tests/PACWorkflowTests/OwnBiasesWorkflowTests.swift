import Foundation
import PACEngine
import PACIO
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// Calibration with the target's own biases through the workflow: what the model file stores
/// (`<name>_source`), that the source model read back from it is the allocated one bit for bit,
/// and that a file's source copies are checked like every other tensor.
struct OwnBiasesWorkflowTests {
    static func calibrated(learningRate: Tunable<LearningRate>? = nil) throws -> (TinyPipeline, ModelFile, Workflow.CalibrationReport) {
        let pipeline = try TinyPipeline()
        let options = TrainingOptions(epochs: 4, batchSize: 16, learningRate: 1e-2, seed: 3)
        let (model, report) = try Workflow.calibrate(pipeline.allocated, data: pipeline.target, lambda: .fixed(0.01),
                                                     settings: TargetSettings(freedom: .ownBiases, learningRate: learningRate),
                                                     schedules: try options.targetSchedules(), options: options)
        return (pipeline, model, report)
    }

    @Test func theFileHoldsTheTargetsBiasesAndTheSourcesCopies() throws {
        let (pipeline, model, _) = try Self.calibrated()
        let biases = ["layers.0.bias", "layers.2.bias", "layers.4.bias"]
        #expect(model.sourceCopies.values.map(\.name) == biases)
        let names = model.safetensors.tensors.map(\.name)
        #expect(biases.allSatisfy { names.contains($0) && names.contains($0 + "_source") })
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("own.safetensors")
            try model.save(to: path, overwrite: false)
            let loaded = try ModelFile.load(path: path)
            #expect(loaded.sourceCopies.values.map(\.name) == biases)
            // The source model from the file is the allocated network, in every parameter.
            let source = try loaded.model(for: .source), allocated = try pipeline.allocated.model(for: .source)
            #expect(parameterBits(source) == parameterBits(allocated))
            let inputs = pipeline.source.inputs
            #expect(bits(source.predict(inputs)) == bits(allocated.predict(inputs)))
            // The target model has its own biases.
            let target = try loaded.model(for: .target)
            #expect(biases.allSatisfy { bits(target.parameter(named: $0)!.value) != bits(allocated.parameter(named: $0)!.value) })
        }
    }

    @Test func aSelectedLearningRateIsRecordedInTheFile() throws {
        let (_, model, report) = try Self.calibrated(learningRate: .auto)
        let choice = try #require(report.selection)
        #expect(model.learningRate == choice.learningRate && model.learningRate != nil)
        #expect(choice.candidates.count == HyperparameterSelection().learningRates.count)
        #expect(model.safetensors.metadata["pacnet.target_learning_rate"] == model.learningRate!.description)
    }

    /// Writes `file` and returns the error loading it gives.
    private func loadError(_ file: SafetensorsFile) throws -> String {
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("bad.safetensors")
            try file.write(to: path, overwrite: false)
            return workflowError { try ModelFile.load(path: path) }?.description ?? ""
        }
    }

    @Test func sourceCopiesAreCheckedLikeEveryTensor() throws {
        let (pipeline, model, _) = try Self.calibrated()
        let file = model.safetensors
        func replacing(_ name: String, with tensor: Tensor) -> SafetensorsFile {
            SafetensorsFile(tensors: file.tensors.map { $0.name == name ? (name, tensor) : $0 }, metadata: file.metadata)
        }
        #expect(try loadError(replacing("layers.2.bias_source", with: Tensor(zeros: [3]))).contains("has shape [3]"))
        var poisoned = file.tensors.first { $0.name == "layers.2.bias_source" }!.tensor
        poisoned.scalars[0] = .nan
        #expect(try loadError(replacing("layers.2.bias_source", with: poisoned)).contains("NaN or infinite"))
        // A weight never has a source copy: the source reads the kept entries of the shared weight.
        let weight = SafetensorsFile(tensors: file.tensors + [("layers.0.weight_source", Tensor(zeros: [8, 3]))], metadata: file.metadata)
        #expect(try loadError(weight).contains("source copy of a weight"))
        // Only a calibrated file has source copies.
        let allocated = pipeline.allocated.safetensors
        let early = SafetensorsFile(tensors: allocated.tensors + [("layers.0.bias_source", Tensor(zeros: [8]))], metadata: allocated.metadata)
        #expect(try loadError(early).contains("only a calibrated model with masks has"))
        // A copy of nothing in the architecture is an unexpected tensor.
        let stray = SafetensorsFile(tensors: file.tensors + [("layers.9.bias_source", Tensor(zeros: [1]))], metadata: file.metadata)
        #expect(try loadError(stray).contains("unexpected tensor"))
    }
}
