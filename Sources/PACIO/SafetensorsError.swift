/// Why a safetensors file could not be read or written.
///
/// Every case carries the file's path, and `description` is one line that starts with it, e.g.
/// `model.safetensors: tensors 'a' and 'b' overlap`.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// No file exists at the path.
    case fileNotFound(path: String)
    /// The file exists but could not be read (a directory, no permission, an I/O error).
    case unreadable(path: String, reason: String)
    /// The file is shorter than the 8-byte header length.
    case fileTooSmall(path: String, size: Int)
    /// The 8-byte header length points past the end of the file.
    case headerTooLong(path: String, headerLength: UInt64, fileSize: Int)
    /// The header is not UTF-8 JSON.
    case invalidJSON(path: String)
    /// The header is JSON but not an object starting with `{`.
    case headerNotObject(path: String)
    /// An object in the header has the same key twice (for the top level: a tensor name).
    case duplicateKey(path: String, key: String)
    /// `__metadata__` is not an object, or `key` maps to something other than a string.
    case invalidMetadata(path: String, key: String?)
    /// A tensor's entry is not a JSON object.
    case tensorNotObject(path: String, tensor: String)
    /// A tensor's entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(path: String, tensor: String, field: String)
    /// A tensor's `dtype` is not a string.
    case invalidDType(path: String, tensor: String)
    /// A tensor's `shape` is not an array of non-negative integers.
    case invalidShape(path: String, tensor: String)
    /// A tensor's `data_offsets` is not `[begin, end]` with non-negative integers and `begin <= end`.
    case invalidDataOffsets(path: String, tensor: String)
    /// A tensor's element count or byte count does not fit in an `Int`.
    case shapeTooLarge(path: String, tensor: String, shape: [Int])
    /// A tensor's dtype is valid safetensors but cannot be converted to `Float`.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A tensor's `data_offsets` reach past the end of the byte buffer.
    case dataOffsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, bufferSize: Int)
    /// A tensor's byte range does not match its shape and dtype.
    case sizeMismatch(path: String, tensor: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlap(path: String, first: String, second: String)
    /// Bytes `begin..<end` of the buffer belong to no tensor (the format forbids holes).
    case hole(path: String, begin: Int, end: Int)
    /// Writing refused to replace an existing file.
    case fileExists(path: String)
    /// Writing failed.
    case writeFailed(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let path), .unreadable(let path, _), .fileTooSmall(let path, _),
             .headerTooLong(let path, _, _), .invalidJSON(let path), .headerNotObject(let path),
             .duplicateKey(let path, _), .invalidMetadata(let path, _), .tensorNotObject(let path, _),
             .missingField(let path, _, _), .invalidDType(let path, _), .invalidShape(let path, _),
             .invalidDataOffsets(let path, _), .shapeTooLarge(let path, _, _),
             .unsupportedDType(let path, _, _), .dataOffsetsOutOfRange(let path, _, _, _, _),
             .sizeMismatch(let path, _, _, _, _), .overlap(let path, _, _), .hole(let path, _, _),
             .fileExists(let path), .writeFailed(let path, _):
            path
        }
    }

    public var description: String { Self.oneLine("\(path): \(problem)") }

    /// Whether the bytes cannot be a safetensors file at all, rather than a damaged one: too
    /// short for the 8-byte header length, a header length past the end of the file (as when the
    /// first 8 bytes are text, say a CSV header) or a header that is not a JSON object.
    public var meansNotSafetensors: Bool {
        switch self {
        case .fileTooSmall, .headerTooLong, .headerNotObject: true
        default: false
        }
    }

    /// One line for a user: `<path> is not a safetensors file (<problem>)` when
    /// `meansNotSafetensors`, else `description`.
    public var summary: String {
        meansNotSafetensors ? Self.oneLine("\(path) is not a safetensors file (\(problem))") : description
    }

    /// Names and paths come from the file or the caller; escaping line breaks and other control
    /// characters keeps a message on one line.
    private static func oneLine(_ text: String) -> String {
        var line = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                line += scalar.escaped(asASCII: true)
            } else {
                line.unicodeScalars.append(scalar)
            }
        }
        return line
    }

    private var problem: String {
        switch self {
        case .fileNotFound: "file not found"
        case .unreadable(_, let reason): "cannot be read (\(reason))"
        case .fileTooSmall(_, let size): "file is \(size) bytes, too small for the 8-byte header length"
        case .headerTooLong(_, let length, let size) where length > UInt64(size):
            "header length \(length) exceeds the file size \(size)"
        case .headerTooLong(_, let length, let size):
            "header length \(length) plus the 8-byte length field exceeds the file size \(size)"
        case .invalidJSON: "header is not valid JSON"
        case .headerNotObject: "header is not a JSON object starting with '{'"
        case .duplicateKey(_, let key): "header has the key '\(key)' more than once"
        case .invalidMetadata(_, nil): "'__metadata__' is not an object of strings"
        case .invalidMetadata(_, let key?): "'__metadata__' value for '\(key)' is not a string"
        case .tensorNotObject(_, let tensor): "tensor '\(tensor)' is not a JSON object"
        case .missingField(_, let tensor, let field): "tensor '\(tensor)' has no '\(field)'"
        case .invalidDType(_, let tensor): "tensor '\(tensor)' has a 'dtype' that is not a string"
        case .invalidShape(_, let tensor): "tensor '\(tensor)' has a 'shape' that is not a list of non-negative integers"
        case .invalidDataOffsets(_, let tensor):
            "tensor '\(tensor)' has 'data_offsets' that are not [begin, end] with 0 <= begin <= end"
        case .shapeTooLarge(_, let tensor, let shape): "tensor '\(tensor)' has shape \(shape), which is too large"
        case .unsupportedDType(_, let tensor, let dtype): "tensor '\(tensor)' has dtype '\(dtype)', which is not supported"
        case .dataOffsetsOutOfRange(_, let tensor, let begin, let end, let size):
            "tensor '\(tensor)' data_offsets [\(begin), \(end)] out of range (buffer is \(size) bytes)"
        case .sizeMismatch(_, let tensor, let shape, let expected, let actual):
            "tensor '\(tensor)' has shape \(shape) (\(expected) bytes) but \(actual) bytes of data"
        case .overlap(_, let first, let second): "tensors '\(first)' and '\(second)' overlap"
        case .hole(_, let begin, let end): "buffer bytes \(begin)..<\(end) belong to no tensor"
        case .fileExists: "file already exists (pass overwrite to replace it)"
        case .writeFailed(_, let reason): "cannot be written (\(reason))"
        }
    }
}
