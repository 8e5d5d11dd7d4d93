import Foundation
import PACEngine
import PACIO
import PACNN
import PACWorkflow
import Testing

/// torchvision's ResNet-18/34 in and out of pacnet, against fixtures made by real PyTorch and
/// torchvision (Tests/Fixtures/torchvision/make_fixtures.py).
@Suite("torchvision ResNets: names, import, bad files")
struct TorchvisionInteropTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/torchvision/\(name)").path
    }

    /// torchvision's state-dict names and shapes, per model.
    static func manifest() throws -> [String: [(name: String, shape: [Int])]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("manifest.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[Any]]])
        return try json.mapValues { entries in
            try entries.map { entry in
                (try #require(entry[0] as? String), try #require(entry[1] as? [Int]))
            }
        }
    }

    static func images() throws -> Tensor { try NPYArray.read(path: fixture("images64.npy")).channelsFirstImages() }

    /// The largest difference relative to the reference's largest magnitude.
    static func relativeError(_ value: Tensor, _ reference: Tensor) -> Float {
        let scale = reference.scalars.map(abs).max() ?? 1
        return zip(value.scalars, reference.scalars).map { abs($0 - $1) }.max()! / scale
    }

    @Test("pacnet's resnet18/resnet34 files have exactly torchvision's names and shapes", arguments: ["resnet18", "resnet34"])
    func namesAndShapes(model: String) throws {
        let expected = try #require(try Self.manifest()[model])
        let architecture = try Architecture(parsing: "\(model):3:heads=7")
        var rng = RandomGenerator(seed: 0)
        let network = architecture.makeNetwork(rng: &rng)
        let file = ModelFile(architecture: architecture, network: network, stage: .trained, loss: .bce).safetensors
        let stored = file.tensors.map { ($0.name, $0.tensor.shape) }
        #expect(stored.map(\.0) == expected.map(\.name))
        #expect(stored.map(\.1) == expected.map(\.shape))
    }

    @Test("a torchvision resnet18 state dict imports with --arch resnet18 and predicts as torchvision does")
    func importMatchesTorchvision() throws {
        let file = try ModelFile.load(path: Self.fixture("resnet18_source.safetensors"), architectureText: "resnet18")
        #expect(file.architecture.description == "resnet18:3:heads=5")
        #expect(file.stage == .trained && file.loss == .bce)
        let reference = try NPYArray.read(path: Self.fixture("resnet18_source_outputs.npy")).tensor()
        let logits = try file.model(for: .source).predict(Self.images())
        #expect(logits.shape == [3, 5])
        #expect(Self.relativeError(logits, reference) < 1e-5, "\(logits.scalars) vs torchvision \(reference.scalars)")
        // The head width given explicitly must agree with fc.weight, and gives the same model.
        let explicit = try ModelFile.load(path: Self.fixture("resnet18_source.safetensors"), architectureText: "resnet18:heads=5")
        #expect(bits(try explicit.model(for: .source).predict(Self.images())) == bits(logits))
    }

    @Test("a saved resnet18 reloads bit for bit under torchvision's names")
    func saveAndReload() throws {
        let file = try ModelFile.load(path: Self.fixture("resnet18_source.safetensors"), architectureText: "resnet18")
        try withScratchDirectory { directory in
            let path = directory + "/again.safetensors"
            try file.save(to: path, overwrite: false)
            let raw = try SafetensorsFile.read(path: path)
            #expect(raw["conv1.weight"] != nil && raw["layer2.0.downsample.0.weight"] != nil && raw["fc.weight"] != nil)
            #expect(raw.metadata["pacnet.architecture"] == "resnet18:3:heads=5")
            let again = try ModelFile.load(path: path)
            #expect(parameterBits(again.network) == parameterBits(file.network))
        }
    }

    /// `fixture` with `change` applied to its tensors, written to `directory`.
    static func altered(in directory: String, _ change: (inout [(name: String, tensor: Tensor)]) -> Void) throws -> String {
        var tensors = try SafetensorsFile.read(path: fixture("resnet18_source.safetensors")).tensors
        change(&tensors)
        let path = directory + "/altered.safetensors"
        try SafetensorsFile(tensors: tensors, metadata: ["format": "pt"]).write(to: path, overwrite: true)
        return path
    }

    @Test("bad torchvision files are refused, naming the tensor")
    func badFiles() throws {
        try withScratchDirectory { directory in
            let noVariance = try Self.altered(in: directory) { $0.removeAll { $0.name == "bn1.running_var" } }
            let missing = workflowError { try ModelFile.load(path: noVariance, architectureText: "resnet18") }
            #expect(missing?.description.contains("no tensor 'bn1.running_var'") == true, "\(String(describing: missing))")

            let wrongHead = workflowError { try ModelFile.load(path: Self.fixture("resnet18_source.safetensors"), architectureText: "resnet18:heads=7") }
            #expect(wrongHead?.description.contains("'fc.weight' has shape [5, 512]") == true, "\(String(describing: wrongHead))")

            let badBias = try Self.altered(in: directory) { tensors in
                let index = tensors.firstIndex { $0.name == "fc.bias" }!
                tensors[index].tensor = Tensor(zeros: [4])
            }
            let bias = workflowError { try ModelFile.load(path: badBias, architectureText: "resnet18") }
            #expect(bias?.description.contains("'fc.bias' has shape [4]") == true, "\(String(describing: bias))")

            let extra = try Self.altered(in: directory) { $0.append(("layer5.0.conv1.weight", Tensor(zeros: [2, 2, 3, 3]))) }
            let unexpected = workflowError { try ModelFile.load(path: extra, architectureText: "resnet18") }
            #expect(unexpected?.description.contains("unexpected tensor 'layer5.0.conv1.weight'") == true, "\(String(describing: unexpected))")

            let deeper = workflowError { try ModelFile.load(path: Self.fixture("resnet18_source.safetensors"), architectureText: "resnet34") }
            #expect(deeper?.description.contains("'layer1.2.conv1.weight'") == true, "\(String(describing: deeper))")
        }
    }

    @Test("a ResNet-50 (bottleneck) state dict is refused with its first bottleneck tensor named")
    func bottleneckRefused() throws {
        let entries = try #require(try Self.manifest()["resnet50"])
        try withScratchDirectory { directory in
            let path = directory + "/resnet50.safetensors"
            let tensors = entries.map { (name: $0.name, tensor: Tensor(zeros: $0.shape)) }
            try SafetensorsFile(tensors: tensors, metadata: ["format": "pt"]).write(to: path, overwrite: false)
            let error = workflowError { try ModelFile.load(path: path, architectureText: "resnet18") }
            #expect(error?.description.contains("unexpected tensor 'layer1.0.conv3.weight'") == true, "\(String(describing: error))")
            #expect(error?.description.contains("bottleneck") == true)
        }
    }

    @Test("architecture strings of the presets", arguments: [
        ("resnet18", "resnet18:3:heads=2,1"), ("resnet34:1", "resnet34:1:heads=2,1"),
        ("resnet18:heads=40", "resnet18:3:heads=40"), ("resnet18:4:heads=40,5", "resnet18:4:heads=40,5"),
    ])
    func presetStrings(text: String, written: String) throws {
        let parsed = try Architecture(parsing: text, imageDefaults: ResNetArchitecture(channels: 3, headOutputs: [2, 1]))
        #expect(parsed.description == written)
        #expect(try Architecture(parsing: written) == parsed)
    }

    @Test("malformed preset strings are refused", arguments: ["resnet18:0", "resnet18:heads=", "resnet18:3:heads=2:x", "resnet18:x", "resnet19"])
    func badPresetStrings(text: String) {
        #expect(workflowError { try Architecture(parsing: text, imageDefaults: ResNetArchitecture(channels: 3, headOutputs: [2])) } != nil)
    }
}

@Suite("input normalization of image models (torchvision's Normalize)")
struct InputNormalizationTests {
    @Test("written forms", arguments: [
        ("resnet18:heads=5:normalize=imagenet", "resnet18:3:heads=5:normalize=imagenet"),
        ("resnet:1:4-8:2:heads=3:normalize=0.5,0.25/2.0,0.5", "resnet:1:4-8:2:heads=3:normalize=0.5,0.25/2.0,0.5"),
    ])
    func writtenForms(text: String, written: String) throws {
        let parsed = try Architecture(parsing: text)
        #expect(parsed.description == written)
        #expect(try Architecture(parsing: written) == parsed)
    }

    @Test("bad normalizations are refused", arguments: [
        "resnet18:heads=5:normalize=imagenet2", "resnet18:heads=5:normalize=0.5,0.5,0.5/1,0,1", "resnet18:heads=5:normalize=0.5/1",
        "resnet18:heads=5:normalize=0.5,0.5,nan/1,1,1", "resnet18:heads=5:normalize=0.5,0.5,0.5",
    ])
    func refused(text: String) {
        #expect(workflowError { try Architecture(parsing: text) } != nil, "\(text)")
    }

    @Test("an imported model with normalize=imagenet predicts what it predicts on normalized pixels")
    func normalizedImport() throws {
        let path = TorchvisionInteropTests.fixture("resnet18_source.safetensors")
        let plain = try ModelFile.load(path: path, architectureText: "resnet18")
        let normalized = try ModelFile.load(path: path, architectureText: "resnet18:normalize=imagenet")
        let x = try TorchvisionInteropTests.images()
        let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let stats = ChannelNormalization.imagenet
        var by = x.scalars
        for i in 0..<n { for ch in 0..<c { for p in 0..<plane { by[(i * c + ch) * plane + p] = (by[(i * c + ch) * plane + p] - stats.mean[ch]) / stats.std[ch] } } }
        let expected = try plain.model(for: .source).predict(Tensor(shape: x.shape, scalars: by))
        let logits = try normalized.model(for: .source).predict(x)
        #expect(TorchvisionInteropTests.relativeError(logits, expected) < 1e-5)
        #expect(TorchvisionInteropTests.relativeError(logits, try plain.model(for: .source).predict(x)) > 1e-3)
        // Saved and reloaded, the normalization travels in the architecture string.
        try withScratchDirectory { directory in
            try normalized.save(to: directory + "/n.safetensors", overwrite: false)
            let again = try ModelFile.load(path: directory + "/n.safetensors")
            #expect(again.architecture.description == "resnet18:3:heads=5:normalize=imagenet")
            #expect(bits(try again.model(for: .source).predict(x)) == bits(logits))
        }
    }
}
