import Foundation
import PACEngine
import PACIO
import Testing

/// torchvision ResNet-18 files through the commands, in both directions, against outputs that
/// PyTorch computed (Tests/Fixtures/torchvision/make_fixtures.py): `predict --arch resnet18` on a
/// torchvision state dict, and PyTorch's predictions from the file that `pacnet transfer` writes,
/// loaded with the README's snippet (masked with `fc` for the source, whole with `heads.1` for
/// the target).
struct TorchvisionCommandTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/torchvision/\(name)").path
    }

    /// PyTorch's logits in `name`, as the probabilities `pacnet predict` writes for bce.
    static func probabilities(_ name: String) throws -> [Float] {
        try NPYArray.read(path: fixture(name)).tensor().scalars.map { 1 / (1 + Float(Foundation.exp(Double(-$0)))) }
    }

    static func predict(model: String, arch: String? = nil, images: String = "images64.npy", task: String, in scratch: Scratch) throws -> [Float] {
        let out = scratch.path("\(task).npy")
        let output = try ProcessTests.run(["predict", "--model", model, "--data", fixture(images), "--task", task, "--out", out]
            + (arch.map { ["--arch", $0] } ?? []))
        try #require(output.status == 0, "stderr: \(output.stderr)")
        return try NPYArray.read(path: out).tensor().scalars
    }

    @Test func predictOnATorchvisionStateDictMatchesPyTorch() throws {
        try Scratch.with { scratch in
            let values = try Self.predict(model: Self.fixture("resnet18_source.safetensors"), arch: "resnet18", task: "source", in: scratch)
            let expected = try Self.probabilities("resnet18_source_outputs.npy")
            try #require(values.count == expected.count)
            for (value, reference) in zip(values, expected) { #expect(abs(value - reference) < 1e-5, "\(value) vs PyTorch \(reference)") }
        }
    }

    /// The transfer of make_fixtures.py's EXPORT_ARGS; PyTorch predicted from the file it wrote.
    @Test func transferredResNet18PredictsInPyTorchAsInPacnet() throws {
        try Scratch.with { scratch in
            let model = scratch.path("exported.safetensors")
            let output = try ProcessTests.run([
                "transfer", "--source-model", Self.fixture("resnet18_source.safetensors"), "--arch", "resnet18",
                "--source", Self.fixture("source_images.npy"), "--source-labels", Self.fixture("source_labels.npy"),
                "--target", Self.fixture("target_images.npy"), "--target-labels", Self.fixture("target_labels.npy"),
                "--out", model, "--quiet",
                "--allocate-epochs", "1", "--target-epochs", "1", "--batch-size", "4", "--ratio", "0.5", "--lambda", "0.01", "--seed", "3",
            ])
            try #require(output.status == 0, "stderr: \(output.stderr)")
            #expect(output.stdout.contains("architecture: resnet18:3:heads=5,3"), "\(output.stdout)")
            let file = try SafetensorsFile.read(path: model)
            #expect(file["conv1.weight_mask"] != nil && file["fc.weight"]?.shape == [5, 512] && file["heads.1.weight"]?.shape == [3, 512])
            for task in ["source", "target"] {
                let values = try Self.predict(model: model, images: "target_images.npy", task: task, in: scratch)
                let expected = try Self.probabilities("export_\(task)_outputs.npy")
                try #require(values.count == expected.count)
                // Training on another CPU may round differently; 1e-4 is far below what a wrong
                // mask, head or name would cost.
                for (value, reference) in zip(values, expected) { #expect(abs(value - reference) < 1e-4, "\(task): \(value) vs PyTorch \(reference)") }
            }
        }
    }

    @Test func infoNamesTorchvisionTensors() throws {
        let output = try ProcessTests.run(["info", "--model", Self.fixture("resnet18_source.safetensors"), "--arch", "resnet18"])
        try #require(output.status == 0, "stderr: \(output.stderr)")
        for line in ["architecture: resnet18:3:heads=5", "loss: bce", "conv1.weight: 64x3x7x7", "layer2.0.downsample.0.weight: 128x64x1x1", "fc.weight: 5x512"] {
            #expect(output.stdout.contains(line), "\(line) in \(output.stdout)")
        }
    }

    @Test func aResNet50IsRefusedWithoutOutput() throws {
        try Scratch.with { scratch in
            // A bottleneck block's tensors, as in torchvision's resnet50 state dict.
            let path = scratch.path("resnet50.safetensors")
            let tensors: [(name: String, tensor: Tensor)] = [
                ("conv1.weight", Tensor(zeros: [64, 3, 7, 7])), ("layer1.0.conv1.weight", Tensor(zeros: [64, 64, 1, 1])),
                ("layer1.0.conv3.weight", Tensor(zeros: [256, 64, 1, 1])), ("fc.weight", Tensor(zeros: [4, 2048])),
            ]
            try SafetensorsFile(tensors: tensors).write(to: path, overwrite: false)
            let out = scratch.path("pred.npy")
            let output = try ProcessTests.run(["predict", "--model", path, "--arch", "resnet18", "--data", Self.fixture("images64.npy"), "--out", out])
            #expect(output.status != 0)
            #expect(output.stderr.contains("unexpected tensor 'layer1.0.conv3.weight'"), "\(output.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
