import Foundation
import PACEngine

/// The contents of a safetensors file: named tensors plus string metadata.
///
/// The format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length
/// N, N bytes of UTF-8 JSON describing each tensor (`dtype`, `shape`, `data_offsets` into the
/// byte buffer) and an optional `__metadata__` string map, then the byte buffer itself.
/// Reading accepts F32, F64, F16, BF16, I64, I32, U8 and BOOL and converts every tensor to
/// `Float`; writing produces F32.
public struct SafetensorsFile: Sendable, Equatable {
    /// The tensors in a deterministic order: by data offset when read, as given when created.
    public private(set) var tensors: [(name: String, tensor: Tensor)]
    /// Free-form string metadata (the `__metadata__` entry).
    public var metadata: [String: String]
    private var indexByName: [String: Int]

    /// Creates a file from named tensors (written in this order) and metadata.
    ///
    /// Names must be unique and must not be `__metadata__`, the key the format reserves.
    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
        var indexByName: [String: Int] = [:]
        for (index, entry) in tensors.enumerated() {
            precondition(entry.name != "__metadata__", "'__metadata__' is reserved and cannot name a tensor")
            precondition(indexByName.updateValue(index, forKey: entry.name) == nil, "duplicate tensor name '\(entry.name)'")
        }
        self.tensors = tensors
        self.metadata = metadata
        self.indexByName = indexByName
    }

    /// The tensor with this name, if any.
    public subscript(name: String) -> Tensor? {
        indexByName[name].map { tensors[$0].tensor }
    }

    /// The tensor names in `tensors` order.
    public var names: [String] { tensors.map(\.name) }

    /// Same metadata and the same names, in order, with equal tensors (`Tensor` equality, so a
    /// NaN makes a file unequal to itself; compare bit patterns for bit-exactness).
    public static func == (lhs: SafetensorsFile, rhs: SafetensorsFile) -> Bool {
        lhs.metadata == rhs.metadata && lhs.tensors.count == rhs.tensors.count
            && zip(lhs.tensors, rhs.tensors).allSatisfy { $0.name == $1.name && $0.tensor == $1.tensor }
    }

    // MARK: Reading

    /// Reads and validates the safetensors file at `path`.
    public static func read(path: String) throws(SafetensorsError) -> SafetensorsFile {
        let data: Data
        do {
            // A plain read, not a memory map: a map of a file truncated while we read it would
            // crash with SIGBUS instead of failing validation.
            data = try DataFileReader.contents(atPath: path)
        } catch .fileNotFound {
            throw .fileNotFound(path: path)
        } catch .unreadable(_, let reason) {
            throw .unreadable(path: path, reason: reason)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
        return try decode(data, path: path)
    }

    /// Decodes the bytes of a safetensors file; `path` only names the file in errors.
    ///
    /// Validation follows the format's rules (header is a JSON object, known fields, offsets
    /// inside the buffer and matching each shape, no overlaps, no uncovered bytes) and never
    /// traps on malformed input.
    public static func decode(_ data: Data, path: String) throws(SafetensorsError) -> SafetensorsFile {
        // `Data.withUnsafeBytes` rethrows untyped errors, so the typed error travels in a Result.
        let result = data.withUnsafeBytes { bytes -> Result<SafetensorsFile, SafetensorsError> in
            let header: SafetensorsHeader
            do throws(SafetensorsError) { header = try SafetensorsHeader(bytes, path: path) } catch { return .failure(error) }
            let buffer = UnsafeRawBufferPointer(rebasing: bytes[header.bufferStart...])
            let tensors = header.entries.map { entry in
                let source = UnsafeRawBufferPointer(rebasing: buffer[entry.begin..<entry.end])
                return (name: entry.name,
                        tensor: Tensor(shape: entry.shape, scalars: entry.dtype.decode(source, count: entry.count)))
            }
            return .success(SafetensorsFile(tensors: tensors, metadata: header.metadata))
        }
        return try result.get()
    }

    // MARK: Writing

    /// The file's bytes: F32 tensors, a header listing `__metadata__` (when non-empty, keys
    /// sorted) and then the tensors in order, contiguous data offsets, and the header padded
    /// with spaces so the byte buffer starts at a multiple of 8 bytes.
    public func encode() -> Data {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }
                .map { JSONString.quoted($0.key) + ":" + JSONString.quoted($0.value) }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, tensor) in tensors {
            let end = offset + tensor.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append(JSONString.quoted(name)
                + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        // Aligned data lets readers map the buffer and use it as floats in place.
        headerBytes += repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)

        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for (_, tensor) in tensors {
            #if _endian(little)
            tensor.scalars.withUnsafeBytes { data.append(contentsOf: $0) }
            #else
            for scalar in tensor.scalars {
                withUnsafeBytes(of: scalar.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
            #endif
        }
        return data
    }

    /// Writes `encode()` to `path` atomically (a temporary file in the same directory, then a
    /// rename), so a crash never leaves a truncated model behind. An existing file is replaced
    /// only when `overwrite` is true; otherwise the write fails with `fileExists`.
    public func write(to path: String, overwrite: Bool) throws(SafetensorsError) {
        do {
            try AtomicFile.write(encode(), to: path, overwrite: overwrite)
        } catch .outputExists(let path) {
            throw .fileExists(path: path)
        } catch .writeFailed(let path, let reason) {
            throw .writeFailed(path: path, reason: reason)
        } catch {
            // AtomicFile documents only the two cases above; keep any future one readable.
            throw .writeFailed(path: path, reason: error.description)
        }
    }
}
