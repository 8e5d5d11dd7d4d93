import Foundation
import PACEngine
import PACIO
import Testing

/// `pacnet predict --arch ...` on a PyTorch `nn.Sequential` file matches PyTorch's outputs.
/// The fixtures live with the PACIO tests (made by Tests/PACIOTests/Fixtures/make_fixtures.py).
struct PyTorchPredictCommandTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PACIOTests/Fixtures/\(name)").path
    }

    @Test func predictMatchesPyTorch() throws {
        let expected = try NPYArray.read(path: Self.fixture("torch_mlp_relu_outputs.npy")).tensor()
        try Scratch.with { scratch in
            let out = scratch.path("pred.csv")
            let output = try ProcessTests.run([
                "predict", "--model", Self.fixture("torch_mlp_relu.safetensors"), "--arch", "mlp:3-8-8-2:relu",
                "--data", Self.fixture("torch_mlp_relu_inputs.npy"), "--task", "source", "--out", out,
            ])
            try #require(output.status == 0, "stderr: \(output.stderr)")
            #expect(output.stderr.isEmpty, "\(output.stderr)")
            #expect(output.stdout.contains("rows: 5"), "\(output.stdout)")
            let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            try #require(lines.count == 6, "\(lines)")
            #expect(lines[0] == "y0,y1")
            let values = try lines.dropFirst().flatMap { line in
                try line.split(separator: ",").map { try #require(Double($0), "\(line)") }
            }
            try #require(values.count == 10)
            for (value, reference) in zip(values, expected.scalars) {
                #expect(abs(value - Double(reference)) <= 1e-5, "\(value) vs PyTorch \(reference)")
            }
        }
    }

    @Test func predictWithoutArchExplainsWhatIsMissing() throws {
        try Scratch.with { scratch in
            let output = try ProcessTests.run([
                "predict", "--model", Self.fixture("torch_mlp_relu.safetensors"),
                "--data", Self.fixture("torch_mlp_relu_inputs.npy"), "--task", "source", "--out", scratch.path("pred.csv"),
            ])
            #expect(output.status != 0)
            #expect(output.stderr.hasPrefix("Error: torch_mlp_relu.safetensors does not say its architecture"), "\(output.stderr)")
            #expect(output.stderr.contains("--arch"))
            #expect(try scratch.listing().isEmpty)
        }
    }
}
