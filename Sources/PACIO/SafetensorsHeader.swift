/// A validated safetensors header: where each tensor's bytes are and how to decode them.
struct SafetensorsHeader {
    struct Entry {
        var name: String
        var dtype: SafetensorsDType
        var shape: [Int]
        var count: Int
        /// Byte range relative to the start of the buffer that follows the header.
        var begin: Int
        var end: Int
    }

    /// Entries sorted by data offset (then name, so empty tensors sharing an offset have a
    /// deterministic order).
    var entries: [Entry]
    var metadata: [String: String]
    /// Offset of the byte buffer from the start of the file: 8 + header length.
    var bufferStart: Int

    /// Parses and validates the header of `bytes` (a whole file): every check the format
    /// requires, with overflow-checked arithmetic so hostile input fails instead of trapping.
    init(_ bytes: UnsafeRawBufferPointer, path: String) throws(SafetensorsError) {
        guard bytes.count >= 8 else { throw .fileTooSmall(path: path, size: bytes.count) }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw .headerTooLong(path: path, headerLength: headerLength, fileSize: bytes.count)
        }
        bufferStart = 8 + Int(headerLength)
        let headerBytes = Array(bytes[8..<bufferStart])
        // The format requires the header to open with '{' (no leading whitespace).
        guard headerBytes.first == UInt8(ascii: "{") else {
            if (try? SafetensorsJSONParser.parse(headerBytes)) == nil { throw .invalidJSON(path: path) }
            throw .headerNotObject(path: path)
        }
        let json: SafetensorsJSONValue
        do {
            json = try SafetensorsJSONParser.parse(headerBytes)
        } catch .duplicateKey(let key) {
            throw .duplicateKey(path: path, key: key)
        } catch {
            throw .invalidJSON(path: path)
        }
        guard case .object(let members) = json else { throw .headerNotObject(path: path) }

        let bufferSize = bytes.count - bufferStart
        metadata = [:]
        entries = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try Self.metadata(value, path: path)
            } else {
                entries.append(try Self.entry(name, value, bufferSize: bufferSize, path: path))
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        try Self.checkLayout(entries, bufferSize: bufferSize, path: path)
    }

    private static func metadata(_ value: SafetensorsJSONValue, path: String) throws(SafetensorsError) -> [String: String] {
        switch value {
        case .null:
            return [:]  // the reference implementation accepts an explicit null
        case .object(let members):
            var metadata: [String: String] = [:]
            for (key, value) in members {
                guard case .string(let text) = value else { throw .invalidMetadata(path: path, key: key) }
                metadata[key] = text
            }
            return metadata
        default:
            throw .invalidMetadata(path: path, key: nil)
        }
    }

    private static func entry(_ name: String, _ value: SafetensorsJSONValue, bufferSize: Int,
                              path: String) throws(SafetensorsError) -> Entry {
        guard case .object(let members) = value else { throw .tensorNotObject(path: path, tensor: name) }
        func field(_ key: String) throws(SafetensorsError) -> SafetensorsJSONValue {
            guard let value = members.first(where: { $0.key == key })?.value else {
                throw .missingField(path: path, tensor: name, field: key)
            }
            return value
        }

        guard case .string(let dtypeName) = try field("dtype") else { throw .invalidDType(path: path, tensor: name) }
        guard case .array(let dimensions) = try field("shape") else { throw .invalidShape(path: path, tensor: name) }
        var shape: [Int] = []
        for dimension in dimensions {
            guard let extent = dimension.nonNegativeInt else { throw .invalidShape(path: path, tensor: name) }
            shape.append(extent)
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt, begin <= end else {
            throw .invalidDataOffsets(path: path, tensor: name)
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw .unsupportedDType(path: path, tensor: name, dtype: dtypeName)
        }

        // Multiply left to right, as `Tensor` does, so any shape accepted here is one `Tensor`
        // can be built with (e.g. [2^40, 2^40, 0] is rejected although its product is 0).
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw .shapeTooLarge(path: path, tensor: name, shape: shape) }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow else { throw .shapeTooLarge(path: path, tensor: name, shape: shape) }

        guard end <= bufferSize else {
            throw .dataOffsetsOutOfRange(path: path, tensor: name, begin: begin, end: end, bufferSize: bufferSize)
        }
        guard end - begin == byteCount else {
            throw .sizeMismatch(path: path, tensor: name, shape: shape, expectedBytes: byteCount, actualBytes: end - begin)
        }
        return Entry(name: name, dtype: dtype, shape: shape, count: count, begin: begin, end: end)
    }

    /// The tensors must tile the buffer exactly: no overlaps and no uncovered bytes.
    private static func checkLayout(_ sorted: [Entry], bufferSize: Int, path: String) throws(SafetensorsError) {
        var covered = 0  // bytes 0..<covered belong to the entries seen so far
        var previous: Entry?
        for entry in sorted {
            if entry.begin < covered, let previous {
                throw .overlap(path: path, first: previous.name, second: entry.name)
            }
            if entry.begin > covered { throw .hole(path: path, begin: covered, end: entry.begin) }
            covered = entry.end
            previous = entry
        }
        if covered < bufferSize { throw .hole(path: path, begin: covered, end: bufferSize) }
    }
}
