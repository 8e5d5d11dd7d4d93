import Foundation
import PACEngine
import PACIO
import Testing

/// uint8 image arrays and bool arrays in .npy files.
@Suite("NPY images")
struct NPYImageTests {
    @Test func channelsLastBytesBecomeChannelsFirstFloatsInZeroOne() throws {
        // 2 images of 2 x 3 pixels with 2 channels: byte = 100 n + 10 (row * 3 + column) + channel.
        var bytes: [UInt8] = []
        for n in 0..<2 { for position in 0..<6 { for channel in 0..<2 { bytes.append(UInt8(100 * n + 10 * position + channel)) } } }
        let array = try NPYArray.decode(NPYArray.encode(bytes: bytes, dtype: .uint8, shape: [2, 2, 3, 2]), path: "x.npy")
        let images = try array.channelsFirstImages()
        #expect(images.shape == [2, 2, 2, 3])
        for n in 0..<2 {
            for channel in 0..<2 {
                for row in 0..<2 {
                    for column in 0..<3 {
                        #expect(images[n, channel, row, column] == Float(100 * n + 10 * (row * 3 + column) + channel) / 255)
                    }
                }
            }
        }
        let white = try NPYArray.decode(NPYArray.encode(bytes: [255, 0], dtype: .uint8, shape: [1, 1, 1, 2]), path: "w.npy")
        #expect(try white.channelsFirstImages().scalars == [1, 0])
    }

    @Test func onlyRankFourUInt8ArraysAreImages() throws {
        let rank3 = try NPYArray.decode(NPYArray.encode(bytes: [1, 2, 3, 4], dtype: .uint8, shape: [1, 2, 2]), path: "g.npy")
        #expect(throws: DataError.unexpectedShape(path: "g.npy", shape: [1, 2, 2], expected: "uint8 images N x H x W x C (N, H, W, C > 0)")) {
            try rank3.channelsFirstImages()
        }
        let floats = try NPYArray.decode(NPYArray.encode(Tensor(zeros: [1, 2, 2, 1])), path: "f.npy")
        let error = DataError.unexpectedDType(path: "f.npy", dtype: "float32", expected: "uint8 pixels 0-255 (save with .astype(np.uint8))")
        #expect(throws: error) { try floats.channelsFirstImages() }
        #expect(error.description == "f.npy: expected uint8 pixels 0-255 (save with .astype(np.uint8)), got dtype float32")
    }

    @Test func boolArraysReadAsZeroAndOne() throws {
        let array = try NPYArray.decode(NPYArray.encode(bytes: [1, 0, 0, 1, 1, 0], dtype: .bool, shape: [3, 2]), path: "b.npy")
        #expect(array.dtype == .bool && array.shape == [3, 2])
        #expect(array.tensor().scalars == [1, 0, 0, 1, 1, 0])
        #expect(try array.integers() == [1, 0, 0, 1, 1, 0])
        let header = String(decoding: NPYArray.encode(bytes: [1], dtype: .bool, shape: [1]).prefix(64), as: UTF8.self)
        #expect(header.contains("'descr': '|b1'"))
    }
}
