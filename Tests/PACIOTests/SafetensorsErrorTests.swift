import Foundation
import Testing
@testable import PACIO

/// A malformed file and the exact one-line message decoding it must give.
struct SafetensorsErrorCase: Sendable, CustomTestStringConvertible {
    var label: String
    var data: Data
    var message: String
    var testDescription: String { label }

    init(_ label: String, _ data: Data, _ problem: String) {
        self.label = label
        self.data = data
        self.message = "model.safetensors: " + problem
    }

    static let notJSON = "header is not valid JSON"
    static let notObject = "header is not a JSON object starting with '{'"
    static let badShape = "tensor 'w' has a 'shape' that is not a list of non-negative integers"
    static let badOffsets = "tensor 'w' has 'data_offsets' that are not [begin, end] with 0 <= begin <= end"

    static func tensor(_ entry: String, buffer: [UInt8] = []) -> Data {
        safetensorsBytes(header: #"{"w":\#(entry)}"#, buffer: buffer)
    }

    static let all: [SafetensorsErrorCase] = [
        // The length prefix.
        .init("empty file", Data(), "file is 0 bytes, too small for the 8-byte header length"),
        .init("5-byte file", Data([1, 2, 3, 4, 5]), "file is 5 bytes, too small for the 8-byte header length"),
        .init("length past file", safetensorsBytes(header: "{}", buffer: [UInt8](repeating: 0, count: 110), headerLength: 9999),
              "header length 9999 exceeds the file size 120"),
        .init("length past file by the prefix", safetensorsBytes(header: "{}", buffer: [UInt8](repeating: 0, count: 110), headerLength: 115),
              "header length 115 plus the 8-byte length field exceeds the file size 120"),
        .init("length UInt64.max", safetensorsBytes(header: "{}", headerLength: .max),
              "header length 18446744073709551615 exceeds the file size 10"),

        // The JSON text.
        .init("zero-length header", safetensorsBytes(header: ""), notJSON),
        .init("syntax error", safetensorsBytes(header: #"{"w": }"#), notJSON),
        .init("invalid UTF-8", safetensorsBytes(headerBytes: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]), notJSON),
        .init("lone surrogate", safetensorsBytes(header: #"{"\ud800":1}"#), notJSON),
        .init("unescaped control character", safetensorsBytes(header: "{\"a\tb\":1}"), notJSON),
        .init("text after the object", safetensorsBytes(header: "{} x"), notJSON),
        .init("NUL padding", safetensorsBytes(headerBytes: Array("{}".utf8) + [0, 0]), notJSON),
        .init("single quotes", safetensorsBytes(header: "{'w':1}"), notJSON),
        .init("trailing comma", safetensorsBytes(header: #"{"a":1,}"#), notJSON),
        .init("deep nesting", safetensorsBytes(header: #"{"a":"# + String(repeating: "[", count: 100_000)), notJSON),
        .init("nesting beyond the cap",
              safetensorsBytes(header: #"{"a":"# + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}"), notJSON),
        .init("array header", safetensorsBytes(header: "[1, 2]"), notObject),
        .init("string header", safetensorsBytes(header: #""w""#), notObject),
        .init("leading space", safetensorsBytes(header: " {}"), notObject),

        // Duplicate keys, which JSONSerialization would silently collapse.
        .init("duplicate tensor", safetensorsBytes(header: #"{"w":1,"w":2}"#), "header has the key 'w' more than once"),
        .init("duplicate tensor via escape", safetensorsBytes(header: #"{"w":1,"\u0077":2}"#), "header has the key 'w' more than once"),
        .init("duplicate field", tensor(#"{"dtype":"F32","dtype":"F32","shape":[],"data_offsets":[0,4]}"#, buffer: [0, 0, 0, 0]),
              "header has the key 'dtype' more than once"),

        // Metadata.
        .init("metadata number", safetensorsBytes(header: #"{"__metadata__":{"k":1}}"#), "'__metadata__' value for 'k' is not a string"),
        .init("metadata nested", safetensorsBytes(header: #"{"__metadata__":{"a":"b","k":{}}}"#), "'__metadata__' value for 'k' is not a string"),
        .init("metadata array", safetensorsBytes(header: #"{"__metadata__":["a"]}"#), "'__metadata__' is not an object of strings"),

        // Tensor entries.
        .init("entry not object", tensor("[1]"), "tensor 'w' is not a JSON object"),
        .init("no dtype", tensor(#"{"shape":[],"data_offsets":[0,4]}"#), "tensor 'w' has no 'dtype'"),
        .init("no shape", tensor(#"{"dtype":"F32","data_offsets":[0,4]}"#), "tensor 'w' has no 'shape'"),
        .init("no data_offsets", tensor(#"{"dtype":"F32","shape":[]}"#), "tensor 'w' has no 'data_offsets'"),
        .init("dtype number", tensor(#"{"dtype":4,"shape":[],"data_offsets":[0,4]}"#), "tensor 'w' has a 'dtype' that is not a string"),
        .init("negative dimension", tensor(safetensorsEntry(shape: "[-1]", offsets: "[0,0]")), badShape),
        .init("negative zero dimension", tensor(safetensorsEntry(shape: "[-0]", offsets: "[0,0]")), badShape),
        .init("fractional dimension", tensor(safetensorsEntry(shape: "[2.5]", offsets: "[0,10]")), badShape),
        .init("exponent dimension", tensor(safetensorsEntry(shape: "[1e1]", offsets: "[0,40]")), badShape),
        .init("string dimension", tensor(safetensorsEntry(shape: #"["3"]"#, offsets: "[0,12]")), badShape),
        .init("shape not array", tensor(safetensorsEntry(shape: "3", offsets: "[0,12]")), badShape),
        .init("dimension overflows Int", tensor(safetensorsEntry(shape: "[99999999999999999999]", offsets: "[0,0]")), badShape),
        .init("one offset", tensor(safetensorsEntry(shape: "[]", offsets: "[0]")), badOffsets),
        .init("three offsets", tensor(safetensorsEntry(shape: "[]", offsets: "[0,4,8]")), badOffsets),
        .init("reversed offsets", tensor(safetensorsEntry(shape: "[]", offsets: "[8,4]")), badOffsets),
        .init("negative offset", tensor(safetensorsEntry(shape: "[]", offsets: "[-4,0]")), badOffsets),
        .init("string offset", tensor(safetensorsEntry(shape: "[]", offsets: #"[0,"4"]"#)), badOffsets),
        .init("offset overflows Int", tensor(safetensorsEntry(shape: "[]", offsets: "[0,18446744073709551615]")), badOffsets),

        // Sizes that overflow must be errors, never traps.
        .init("element count overflows", tensor(safetensorsEntry(shape: "[4294967296,4294967296]", offsets: "[0,0]")),
              "tensor 'w' has shape [4294967296, 4294967296], which is too large"),
        .init("byte count overflows", tensor(safetensorsEntry(shape: "[2305843009213693952]", offsets: "[0,0]")),
              "tensor 'w' has shape [2305843009213693952], which is too large"),
        .init("overflow before a zero dimension", tensor(safetensorsEntry(shape: "[1099511627776,1099511627776,0]", offsets: "[0,0]")),
              "tensor 'w' has shape [1099511627776, 1099511627776, 0], which is too large"),

        // Dtypes.
        .init("complex dtype", tensor(safetensorsEntry("C64", shape: "[2,3]", offsets: "[0,48]")),
              "tensor 'w' has dtype 'C64', which is not supported"),
        .init("fp8 dtype", tensor(safetensorsEntry("F8_E4M3", shape: "[2]", offsets: "[0,2]"), buffer: [0, 0]),
              "tensor 'w' has dtype 'F8_E4M3', which is not supported"),
        .init("lowercase dtype", tensor(safetensorsEntry("f32", shape: "[]", offsets: "[0,4]"), buffer: [0, 0, 0, 0]),
              "tensor 'w' has dtype 'f32', which is not supported"),

        // Offsets against the buffer.
        .init("offsets past buffer", tensor(safetensorsEntry(shape: "[16]", offsets: "[0,64]"), buffer: [UInt8](repeating: 0, count: 48)),
              "tensor 'w' data_offsets [0, 64] out of range (buffer is 48 bytes)"),
        .init("size mismatch", tensor(safetensorsEntry(shape: "[2,3]", offsets: "[0,20]"), buffer: [UInt8](repeating: 0, count: 20)),
              "tensor 'w' has shape [2, 3] (24 bytes) but 20 bytes of data"),
        .init("F64 size mismatch", tensor(safetensorsEntry("F64", shape: "[2]", offsets: "[0,8]"), buffer: [UInt8](repeating: 0, count: 8)),
              "tensor 'w' has shape [2] (16 bytes) but 8 bytes of data"),
        .init("overlap",
              safetensorsBytes(header: #"{"a":\#(safetensorsEntry(shape: "[2]", offsets: "[0,8]")),"b":\#(safetensorsEntry(shape: "[2]", offsets: "[4,12]"))}"#,
                               buffer: [UInt8](repeating: 0, count: 12)),
              "tensors 'a' and 'b' overlap"),
        .init("same range twice",
              safetensorsBytes(header: #"{"b":\#(safetensorsEntry(shape: "[2]", offsets: "[0,8]")),"a":\#(safetensorsEntry(shape: "[2]", offsets: "[0,8]"))}"#,
                               buffer: [UInt8](repeating: 0, count: 8)),
              "tensors 'a' and 'b' overlap"),
        .init("empty tensor inside another",
              safetensorsBytes(header: #"{"a":\#(safetensorsEntry(shape: "[4]", offsets: "[0,16]")),"e":\#(safetensorsEntry(shape: "[0]", offsets: "[8,8]"))}"#,
                               buffer: [UInt8](repeating: 0, count: 16)),
              "tensors 'a' and 'e' overlap"),
        .init("hole between tensors",
              safetensorsBytes(header: #"{"a":\#(safetensorsEntry(shape: "[2]", offsets: "[0,8]")),"b":\#(safetensorsEntry(shape: "[2]", offsets: "[12,20]"))}"#,
                               buffer: [UInt8](repeating: 0, count: 20)),
              "buffer bytes 8..<12 belong to no tensor"),
        .init("hole at the start", tensor(safetensorsEntry(shape: "[2]", offsets: "[4,12]"), buffer: [UInt8](repeating: 0, count: 12)),
              "buffer bytes 0..<4 belong to no tensor"),
        .init("hole at the end", tensor(safetensorsEntry(shape: "[2]", offsets: "[0,8]"), buffer: [UInt8](repeating: 0, count: 12)),
              "buffer bytes 8..<12 belong to no tensor"),
        .init("buffer without tensors", safetensorsBytes(header: "{}", buffer: [1, 2, 3, 4]),
              "buffer bytes 0..<4 belong to no tensor"),
    ]
}

@Suite struct SafetensorsErrorTests {
    @Test(arguments: SafetensorsErrorCase.all)
    func malformedFileIsRejected(_ testCase: SafetensorsErrorCase) {
        do {
            let file = try SafetensorsFile.decode(testCase.data, path: "model.safetensors")
            Issue.record("decoded \(file.tensors.count) tensors from a malformed file")
        } catch {
            #expect(error.description == testCase.message)
            #expect(error.path == "model.safetensors")
        }
    }

    @Test func errorsCarryTheirDetails() {
        let overlap = safetensorsBytes(
            header: #"{"a":\#(safetensorsEntry(shape: "[2]", offsets: "[0,8]")),"b":\#(safetensorsEntry(shape: "[2]", offsets: "[4,12]"))}"#,
            buffer: [UInt8](repeating: 0, count: 12))
        #expect(throws: SafetensorsError.overlap(path: "m", first: "a", second: "b")) {
            try SafetensorsFile.decode(overlap, path: "m")
        }
        let mismatch = SafetensorsErrorCase.tensor(safetensorsEntry(shape: "[2,3]", offsets: "[0,20]"), buffer: [UInt8](repeating: 0, count: 20))
        #expect(throws: SafetensorsError.sizeMismatch(path: "m", tensor: "w", shape: [2, 3], expectedBytes: 24, actualBytes: 20)) {
            try SafetensorsFile.decode(mismatch, path: "m")
        }
    }

    @Test func descriptionStaysOnOneLine() {
        let data = safetensorsBytes(header: "{\"a\\nb\":[1]}")
        do {
            _ = try SafetensorsFile.decode(data, path: "dir/model\n.safetensors")
            Issue.record("decoded a malformed file")
        } catch {
            #expect(!error.description.contains("\n"))
            #expect(error.description == #"dir/model\n.safetensors: tensor 'a\nb' is not a JSON object"#)
        }
    }

    /// Bytes that cannot be a safetensors file (text, say) are called that, with the detail kept;
    /// a damaged safetensors file keeps its plain message.
    @Test func summarySaysWhenTheBytesAreNotSafetensors() {
        func summary(_ data: Data) -> String? {
            do { _ = try SafetensorsFile.decode(data, path: "data.csv"); return nil } catch { return error.summary }
        }
        let csv = Data("x1,x2,y\n1,2,3\n".utf8)
        let length = csv.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(summary(csv) == "data.csv is not a safetensors file (header length \(length) exceeds the file size 14)")
        #expect(summary(Data([1, 2, 3])) == "data.csv is not a safetensors file (file is 3 bytes, too small for the 8-byte header length)")
        #expect(summary(safetensorsBytes(header: "[1, 2]")) == "data.csv is not a safetensors file (header is not a JSON object starting with '{')")
        #expect(summary(safetensorsBytes(header: #"{"w": }"#)) == "data.csv: header is not valid JSON")
        #expect(SafetensorsError.headerTooLong(path: "a\nb", headerLength: 9, fileSize: 8).summary
                == #"a\nb is not a safetensors file (header length 9 exceeds the file size 8)"#)
        #expect(!SafetensorsError.overlap(path: "m", first: "a", second: "b").meansNotSafetensors)
        #expect(SafetensorsError.overlap(path: "m", first: "a", second: "b").summary == "m: tensors 'a' and 'b' overlap")
    }

    @Test func missingFileIsReported() {
        #expect(throws: SafetensorsError.fileNotFound(path: "/nonexistent/model.safetensors")) {
            try SafetensorsFile.read(path: "/nonexistent/model.safetensors")
        }
        #expect(SafetensorsError.fileNotFound(path: "/nonexistent/model.safetensors").description
                == "/nonexistent/model.safetensors: file not found")
    }

    @Test func directoryIsUnreadable() throws {
        let directory = try safetensorsTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: SafetensorsError.unreadable(path: directory, reason: "Is a directory")) {
            try SafetensorsFile.read(path: directory)
        }
        #expect(SafetensorsError.unreadable(path: "d", reason: "Is a directory").description == "d: cannot be read (Is a directory)")
    }

    @Test func writeErrorsNameTheFile() {
        #expect(SafetensorsError.fileExists(path: "out.safetensors").description
                == "out.safetensors: file already exists (pass overwrite to replace it)")
        #expect(SafetensorsError.writeFailed(path: "out.safetensors", reason: "No space left on device").description
                == "out.safetensors: cannot be written (No space left on device)")
    }

    /// Inputs that are odd but valid must still load.
    @Test func lenientButValidHeadersLoad() throws {
        let empty = try SafetensorsFile.decode(safetensorsBytes(header: "{}"), path: "m")
        #expect(empty.tensors.isEmpty && empty.metadata.isEmpty)

        let nullMetadata = try SafetensorsFile.decode(safetensorsBytes(header: #"{"__metadata__":null}"#), path: "m")
        #expect(nullMetadata.metadata.isEmpty)

        // Unknown fields are ignored, and any JSON whitespace may pad the header.
        let extra = safetensorsBytes(
            header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"note\": [true, null]}} \t\r\n",
            buffer: littleEndianBytes([Float(2.5)]))
        #expect(try SafetensorsFile.decode(extra, path: "m")["w"]?.scalars == [2.5])

        // Empty tensors may share an offset with each other and with the next tensor.
        let shared = safetensorsBytes(
            header: #"{"b":\#(safetensorsEntry(shape: "[0]", offsets: "[0,0]")),"a":\#(safetensorsEntry(shape: "[2,0]", offsets: "[0,0]")),"c":\#(safetensorsEntry(shape: "[1]", offsets: "[0,4]"))}"#,
            buffer: littleEndianBytes([Float(1)]))
        let file = try SafetensorsFile.decode(shared, path: "m")
        #expect(file.names == ["a", "b", "c"])
        #expect(file["a"]?.shape == [2, 0])
    }
}
