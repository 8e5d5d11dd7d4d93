import Foundation
import PACEngine
import Testing
@testable import PACIO

/// Interop with files written by PyTorch + safetensors (see Fixtures/make_fixtures.py, whose
/// printed values are hard-coded here) and a pacnet-written file checked by PyTorch.
@Suite struct SafetensorsFixtureTests {
    @Test func torchMLPStateDict() throws {
        let file = try SafetensorsFile.read(path: try safetensorsFixturePath("torch_mlp.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        // All F32, so safetensors lays them out by name.
        #expect(file.names == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"])
        let shapes = Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.tensor.shape) })
        #expect(shapes == ["0.weight": [8, 3], "0.bias": [8], "2.weight": [8, 8], "2.bias": [8], "4.weight": [2, 8], "4.bias": [2]])
        #expect(file.tensors.allSatisfy { $0.tensor.isFinite })

        let firstValues: [String: [Float]] = [
            "0.weight": [-0.0043225177, 0.30971584, -0.47518533],
            "0.bias": [-0.09305926, 0.0610918, 0.5227769],
            "2.weight": [-0.2291661, -0.16275224, -0.2470067],
            "2.bias": [0.17653452, 0.073999204, -0.27580133],
            "4.weight": [-0.3367943, -0.006354817, -0.26624653],
            "4.bias": [0.13874434, 0.021177907],
        ]
        for (name, expected) in firstValues {
            let tensor = try #require(file[name])
            #expect(Array(tensor.scalars.prefix(expected.count)) == expected, "\(name)")
        }
    }

    /// nn.Linear stores weight as [out, in] and computes x·Wᵀ + b; running the saved weights
    /// by hand on the script's first input must give PyTorch's output.
    @Test func torchMLPForwardPassMatchesPyTorch() throws {
        let file = try SafetensorsFile.read(path: try safetensorsFixturePath("torch_mlp.safetensors"))
        func linear(_ x: [Float], _ layer: String) throws -> [Float] {
            let weight = try #require(file["\(layer).weight"]), bias = try #require(file["\(layer).bias"])
            let (outputs, inputs) = (weight.shape[0], weight.shape[1])
            return (0..<outputs).map { o in
                (0..<inputs).reduce(bias.scalars[o]) { $0 + weight.scalars[o * inputs + $1] * x[$1] }
            }
        }
        let hidden1 = try linear([0.66135216, 0.2669241, 0.06167726], "0").map { max($0, 0) }
        let hidden2 = try linear(hidden1, "2").map { tanh($0) }
        let output = try linear(hidden2, "4")
        let expected: [Float] = [0.21962216, 0.044970024]
        #expect(zip(output, expected).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(output) vs \(expected)")
    }

    @Test func torchDTypes() throws {
        let file = try SafetensorsFile.read(path: try safetensorsFixturePath("torch_dtypes.safetensors"))
        #expect(file.metadata == ["source": "make_fixtures.py", "note": "known values"])
        // Laid out by element size (then name), read back in offset order.
        #expect(file.names == ["long", "double", "empty", "int", "bfloat", "half", "byte", "mask"])

        let half = try #require(file["half"])
        #expect(Array(half.scalars.prefix(7)).map(\.bitPattern)
                == ([1, -2.5, 65504, 0x1p-14, 0x1p-24, -.infinity, -0.0] as [Float]).map(\.bitPattern))
        #expect(half.scalars[7].isNaN)
        #expect(file["bfloat"]?.scalars.map(\.bitPattern) == ([1, -2.5, 0.15625, 0x1.FEp127, 0x1p-133] as [Float]).map(\.bitPattern))
        #expect(file["double"] == Tensor(shape: [2, 2], scalars: [0.1, 3.141592653589793, -.infinity, 0]))
        #expect(file["long"] == Tensor([-3, 0, 0x1p40, 0x1p53]))
        #expect(file["int"] == Tensor([-7, 0x1p31]))
        #expect(file["byte"] == Tensor([0, 1, 128, 255]))
        #expect(file["mask"] == Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 0, 1]))
        #expect(file["empty"] == Tensor(shape: [0, 3], scalars: []))
    }

    /// The file pacnet writes for this content. `pacnet_golden.safetensors` holds its bytes,
    /// and `make_fixtures.py --check` loads that file in PyTorch.
    static func golden() -> SafetensorsFile {
        SafetensorsFile(tensors: [
            ("layer.weight", Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 0.25, -0.125, 3])),
            ("layer.bias", Tensor([1, -1])),
            ("scale", Tensor(2.5)),
            ("mask", Tensor(shape: [0, 4], scalars: [])),
            ("ünïcode \"name\"", Tensor([.pi])),
        ], metadata: ["format": "pt", "producer": "pacnet"])
    }

    @Test func encoderMatchesGoldenFile() throws {
        let path = try safetensorsFixturePath("pacnet_golden.safetensors")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Self.golden().encode() == bytes)
        #expect(try SafetensorsFile.read(path: path) == Self.golden())
    }
}
