import Foundation
import Testing

/// Builds safetensors bytes by hand: the 8-byte length (the real one unless overridden), the
/// header bytes exactly as given (no padding), then the buffer.
func safetensorsBytes(headerBytes: [UInt8], buffer: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
    var data = Data()
    withUnsafeBytes(of: (headerLength ?? UInt64(headerBytes.count)).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: headerBytes)
    data.append(contentsOf: buffer)
    return data
}

/// `safetensorsBytes(headerBytes:)` with the header as UTF-8 text.
func safetensorsBytes(header: String, buffer: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
    safetensorsBytes(headerBytes: Array(header.utf8), buffer: buffer, headerLength: headerLength)
}

/// One tensor's header entry, e.g. `{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`.
func safetensorsEntry(_ dtype: String = "F32", shape: String, offsets: String) -> String {
    #"{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
}

/// Little-endian bytes of fixed-width values, for hand-made buffers.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

func littleEndianBytes(_ values: [Float]) -> [UInt8] { littleEndianBytes(values.map(\.bitPattern)) }
func littleEndianBytes(_ values: [Double]) -> [UInt8] { littleEndianBytes(values.map(\.bitPattern)) }

/// The path of a file in the test bundle's `Fixtures` folder (copied by `.copy("Fixtures")`).
func safetensorsFixturePath(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: name)
    let resource = try #require(
        Bundle.module.url(forResource: url.deletingPathExtension().lastPathComponent,
                          withExtension: url.pathExtension, subdirectory: "Fixtures"),
        "fixture \(name) missing from the test bundle")
    return resource.path
}

/// A fresh empty directory under the system temporary directory, removed by the caller.
func safetensorsTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "pacio-safetensors-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
