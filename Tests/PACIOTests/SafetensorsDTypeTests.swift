import Foundation
import PACEngine
import Testing
@testable import PACIO

@Suite struct SafetensorsDTypeTests {
    /// Decodes one hand-made tensor `w` of the given dtype and shape.
    func decode(_ dtype: String, shape: [Int], bytes: [UInt8]) throws -> Tensor {
        let entry = safetensorsEntry(dtype, shape: "\(shape)", offsets: "[0,\(bytes.count)]")
        let file = try SafetensorsFile.decode(safetensorsBytes(header: #"{"w":\#(entry)}"#, buffer: bytes), path: "m")
        return try #require(file["w"])
    }

    @Test func float16() throws {
        let bits: [UInt16] = [0x3C00, 0xC100, 0x7BFF, 0x0400, 0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00, 0x3555]
        let tensor = try decode("F16", shape: [2, 5], bytes: littleEndianBytes(bits))
        #expect(tensor.shape == [2, 5])
        let expected: [Float] = [1, -2.5, 65504, 0x1p-14, 0x1p-24, 0x1.FF8p-15, -0.0, .infinity, -.infinity, 0x1.554p-2]
        #expect(tensor.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
        let nan = try decode("F16", shape: [1], bytes: littleEndianBytes([UInt16(0x7E00)]))
        #expect(nan.scalars[0].isNaN)
    }

    #if !(os(macOS) && arch(x86_64))
    /// Every one of the 65,536 half-precision bit patterns converts like the hardware conversion.
    @Test func float16MatchesSwiftFloat16Exhaustively() {
        for bits in UInt16.min...UInt16.max {
            let ours = SafetensorsDType.float(fromHalf: bits)
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN {
                #expect(ours.isNaN && ours.sign == reference.sign, "\(bits)")
            } else if ours.bitPattern != reference.bitPattern {
                Issue.record("half 0x\(String(bits, radix: 16)): \(ours) != \(reference)")
            }
        }
    }
    #endif

    @Test func bfloat16() throws {
        let bits: [UInt16] = [0x3F80, 0xC020, 0x3E20, 0x7F7F, 0x0001, 0xFF80, 0x8000]
        let tensor = try decode("BF16", shape: [7], bytes: littleEndianBytes(bits))
        let expected: [Float] = [1, -2.5, 0.15625, 0x1.FEp127, 0x1p-133, -.infinity, -0.0]
        #expect(tensor.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func float64RoundsToNearestFloat() throws {
        let values: [Double] = [0.1, -1e300, 1e-50, 3.141592653589793, -0.0]
        let tensor = try decode("F64", shape: [5], bytes: littleEndianBytes(values))
        let expected: [Float] = [0.1, -.infinity, 0, 3.141592653589793, -0.0]
        #expect(tensor.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func integers() throws {
        let longs = try decode("I64", shape: [2, 2], bytes: littleEndianBytes([Int64(-3), 0, 1 << 40, (1 << 53) + 1]))
        #expect(longs == Tensor(shape: [2, 2], scalars: [-3, 0, 0x1p40, 0x1p53]))
        let ints = try decode("I32", shape: [3], bytes: littleEndianBytes([Int32(-7), .max, .min]))
        #expect(ints == Tensor([-7, 0x1p31, -0x1p31]))
        let bytes = try decode("U8", shape: [4], bytes: [0, 1, 128, 255])
        #expect(bytes == Tensor([0, 1, 128, 255]))
    }

    @Test func boolMaskBecomesZerosAndOnes() throws {
        let mask = try decode("BOOL", shape: [2, 3], bytes: [1, 0, 1, 0, 0, 2])
        #expect(mask == Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 0, 1]))
    }

    @Test func float32AtAnUnalignedOffset() throws {
        // Three U8 bytes put the F32 data at buffer offset 3 (and the header is unpadded), so
        // the floats are misaligned; loads must not assume alignment.
        let header = #"{"h":\#(safetensorsEntry("U8", shape: "[3]", offsets: "[0,3]")),"f":\#(safetensorsEntry(shape: "[2]", offsets: "[3,11]"))}"#
        let data = safetensorsBytes(header: header, buffer: [1, 2, 3] + littleEndianBytes([Float(1.5), -2]))
        let file = try SafetensorsFile.decode(data, path: "m")
        #expect(file["f"] == Tensor([1.5, -2]))
        #expect(file["h"] == Tensor([1, 2, 3]))
    }
}
