import Foundation
import PACEngine
import Testing
@testable import PACIO

@Suite struct SafetensorsRoundTripTests {
    /// Values whose bits a lossy path would change: signed zero, infinities, subnormals,
    /// a NaN with a payload, the extremes of Float.
    static let awkward: [Float] = [
        0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNormalMagnitude,
        .greatestFiniteMagnitude, Float(bitPattern: 0x7FC0_1234), .pi, 1e-20,
    ]

    static func sample() -> SafetensorsFile {
        SafetensorsFile(tensors: [
            ("0.weight", Tensor(shape: [2, 5], scalars: awkward)),
            ("0.bias", Tensor([1, -2])),
            ("scalar", Tensor(42)),
            ("empty", Tensor(shape: [3, 0, 2], scalars: [])),
            ("ünïcödé \"quoted\" \\ name\n", Tensor(shape: [1, 1, 3], scalars: [7, 8, 9])),
        ], metadata: ["format": "pt", "epoch": "3", "note": "line 1\nline \"2\" \u{1}ü"])
    }

    @Test func roundTripIsBitExact() throws {
        let original = Self.sample()
        let decoded = try SafetensorsFile.decode(original.encode(), path: "memory")
        #expect(decoded.metadata == original.metadata)
        #expect(decoded.names == original.names)  // offsets follow insertion order
        for ((name, tensor), (decodedName, decodedTensor)) in zip(original.tensors, decoded.tensors) {
            #expect(name == decodedName)
            #expect(tensor.shape == decodedTensor.shape)
            #expect(tensor.scalars.map(\.bitPattern) == decodedTensor.scalars.map(\.bitPattern), "\(name)")
        }
        // Re-encoding what was read reproduces the same bytes.
        #expect(decoded.encode() == original.encode())
    }

    @Test func headerIsPaddedToEightBytes() throws {
        for length in 1...17 {
            let name = String(repeating: "n", count: length)
            let data = SafetensorsFile(tensors: [(name, Tensor([1, 2, 3]))]).encode()
            let headerLength = Int(data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
            #expect(headerLength % 8 == 0)
            let header = Array(data[8..<(8 + headerLength)])
            let closing = try #require(header.lastIndex(of: UInt8(ascii: "}")))
            #expect(header.count - closing - 1 < 8, "at most 7 padding bytes")
            #expect(header[(closing + 1)...].allSatisfy { $0 == UInt8(ascii: " ") })
            #expect(data.count == 8 + headerLength + 12)
            // The buffer starts right after the padded header, 8-byte aligned.
            let first = data[(8 + headerLength)...].prefix(4).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
            #expect(Float(bitPattern: first) == 1)
        }
    }

    @Test func headerTextIsStable() throws {
        let file = SafetensorsFile(tensors: [("w", Tensor(shape: [2, 1], scalars: [1, 2])), ("b", Tensor(0))],
                                   metadata: ["z": "last", "a": "first"])
        let data = file.encode()
        let expected = #"{"__metadata__":{"a":"first","z":"last"},"w":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}"#
        let padded = expected + String(repeating: " ", count: (8 - expected.utf8.count % 8) % 8)
        #expect(data[0..<8] == Data(littleEndianBytes([UInt64(padded.utf8.count)])))
        #expect(String(decoding: data[8..<(8 + padded.utf8.count)], as: UTF8.self) == padded)
        #expect(Array(data[(8 + padded.utf8.count)...]) == littleEndianBytes([Float(1), 2, 0]))
    }

    @Test func emptyMetadataIsOmitted() {
        let data = SafetensorsFile(tensors: [("w", Tensor([1]))]).encode()
        #expect(!String(decoding: data, as: UTF8.self).contains("__metadata__"))
        let nothing = SafetensorsFile(tensors: []).encode()
        #expect(Array(nothing) == littleEndianBytes([UInt64(8)]) + Array("{}      ".utf8))
    }

    @Test func readOrderFollowsDataOffsets() throws {
        let header = #"{"late":\#(safetensorsEntry(shape: "[1]", offsets: "[8,12]")),"#
            + #""__metadata__":{"k":"v"},"#
            + #""early":\#(safetensorsEntry("F64", shape: "[1]", offsets: "[0,8]"))}"#
        let data = safetensorsBytes(header: header, buffer: littleEndianBytes([Double(0.5)]) + littleEndianBytes([Float(-3)]))
        let file = try SafetensorsFile.decode(data, path: "m")
        #expect(file.names == ["early", "late"])
        #expect(file["early"] == Tensor([0.5]))
        #expect(file["late"] == Tensor([-3]))
        #expect(file["missing"] == nil)
        #expect(file.metadata == ["k": "v"])
    }

    @Test func decodesFromADataSlice() throws {
        // A Data slice's indices do not start at zero; decoding must not assume they do.
        let bytes = Data([9, 9, 9]) + Self.sample().encode()
        let slice = bytes.dropFirst(3)
        #expect(slice.startIndex == 3)
        let file = try SafetensorsFile.decode(slice, path: "m")
        #expect(file["0.bias"] == Tensor([1, -2]))
    }

    @Test func writeIsAtomicAndRespectsOverwrite() throws {
        let directory = try safetensorsTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.safetensors"
        let first = Self.sample()
        try first.write(to: path, overwrite: false)
        #expect(try SafetensorsFile.read(path: path).encode() == first.encode())

        let second = SafetensorsFile(tensors: [("w", Tensor([5]))])
        #expect(throws: SafetensorsError.fileExists(path: path)) { try second.write(to: path, overwrite: false) }
        #expect(try SafetensorsFile.read(path: path).encode() == first.encode(), "refused write left the file alone")

        try second.write(to: path, overwrite: true)
        #expect(try SafetensorsFile.read(path: path) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.safetensors"], "no temporary files left")
    }

    @Test func writeIntoMissingDirectoryFails() throws {
        let directory = try safetensorsTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/missing/model.safetensors"
        do {
            try SafetensorsFile(tensors: []).write(to: path, overwrite: false)
            Issue.record("wrote into a missing directory")
        } catch {
            guard case .writeFailed(let failedPath, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(failedPath == path)
            #expect(error.description.hasPrefix(path + ": cannot be written ("))
        }
    }

    @Test func equalityComparesNamesTensorsAndMetadata() {
        let a = SafetensorsFile(tensors: [("w", Tensor([1]))], metadata: ["k": "v"])
        #expect(a == SafetensorsFile(tensors: [("w", Tensor([1]))], metadata: ["k": "v"]))
        #expect(a != SafetensorsFile(tensors: [("w", Tensor([2]))], metadata: ["k": "v"]))
        #expect(a != SafetensorsFile(tensors: [("v", Tensor([1]))], metadata: ["k": "v"]))
        #expect(a != SafetensorsFile(tensors: [("w", Tensor([1]))]))
    }
}
