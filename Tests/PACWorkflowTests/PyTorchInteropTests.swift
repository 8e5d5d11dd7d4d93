import Foundation
import PACEngine
import PACIO
import PACNN
import PACWorkflow
import Testing

/// PyTorch `nn.Sequential` state dicts (`0.weight`, `2.bias`, ...) load as models given `--arch`.
/// Fixtures come from Tests/PACIOTests/Fixtures/make_fixtures.py (test targets cannot share
/// resources, so they are found relative to this source file).
struct PyTorchInteropTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PACIOTests/Fixtures/\(name)").path
    }

    static let architecture = Architecture(sizes: [3, 8, 8, 2], activation: .relu)

    @Test func sequentialReLUModelPredictsLikePyTorch() throws {
        let model = try ModelFile.load(path: Self.fixture("torch_mlp_relu.safetensors"), architecture: Self.architecture)
        #expect(model.stage == .trained)
        #expect(model.masks == nil)
        #expect(model.loss == .mse)
        #expect(model.standardization == nil)
        #expect(model.network.stateDict().map(\.name) ==
            ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias"])

        let inputs = try NPYArray.read(path: Self.fixture("torch_mlp_relu_inputs.npy")).tensor()
        let expected = try NPYArray.read(path: Self.fixture("torch_mlp_relu_outputs.npy")).tensor()
        try #require(inputs.shape == [5, 3] && expected.shape == [5, 2])

        for outputs in [Prediction.outputs(try model.model(for: .source), inputs: inputs, standardization: nil),
                        model.network.predict(inputs)] {
            #expect(outputs.shape == [5, 2])
            for (value, reference) in zip(outputs.scalars, expected.scalars) {
                #expect(abs(value - reference) <= 1e-5, "\(value) vs PyTorch \(reference)")
            }
        }
    }

    @Test func sequentialFileNeedsAnArchitecture() throws {
        let error = workflowError { try ModelFile.load(path: Self.fixture("torch_mlp_relu.safetensors")) }
        #expect(error?.description.hasPrefix("torch_mlp_relu.safetensors does not say its architecture") == true, "\(String(describing: error))")
        #expect(error?.description.contains("--arch") == true)
    }

    @Test func savedCopyUsesPacnetNamesAndDescribesItself() throws {
        let model = try ModelFile.load(path: Self.fixture("torch_mlp_relu.safetensors"), architecture: Self.architecture)
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("imported.safetensors")
            try model.save(to: path, overwrite: false)
            let file = try SafetensorsFile.read(path: path)
            #expect(file.names.allSatisfy { $0.hasPrefix("layers.") }, "\(file.names)")
            #expect(file.metadata["pacnet.architecture"] == "mlp:3-8-8-2:relu")
            let reloaded = try ModelFile.load(path: path)
            #expect(parameterBits(reloaded.network) == parameterBits(model.network))
        }
    }
}
