/// A parsed JSON value, just rich enough for safetensors headers (and the JSON text of metadata
/// values, see `init(parsing:)`).
///
/// Objects keep their keys in file order, and numbers keep their source text, so integers up to
/// the full 64-bit range stay exact (Foundation's `JSONSerialization` would also silently keep
/// only the last of two duplicate keys, which hides malformed headers).
public enum SafetensorsJSONValue: Sendable {
    case object([(key: String, value: SafetensorsJSONValue)])
    case array([SafetensorsJSONValue])
    case string(String)
    /// The number's literal text, e.g. `"-12"` or `"2.5e3"`.
    case number(String)
    case bool(Bool)
    case null

    /// The value as a non-negative `Int` when it is a plain integer literal that fits; nil for
    /// negative numbers, fractions, exponents, overflow and non-numbers.
    public var nonNegativeInt: Int? {
        guard case .number(let text) = self, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// Parses JSON text, such as a metadata value, with the header's strict parser (RFC 8259,
    /// no duplicate keys, nesting capped so hostile input fails instead of overflowing the
    /// stack); nil when `text` is not exactly one JSON value, optionally padded with whitespace.
    public init?(parsing text: String) {
        guard let value = try? SafetensorsJSONParser.parse(Array(text.utf8)) else { return nil }
        self = value
    }
}

/// Why a JSON text was rejected.
enum SafetensorsJSONError: Error, Equatable {
    case invalid
    case duplicateKey(String)
}

/// A strict RFC 8259 recursive-descent parser over UTF-8 bytes.
///
/// Nesting is capped so a hostile header such as `[[[[…` fails cleanly instead of overflowing
/// the stack; real headers nest three levels deep.
struct SafetensorsJSONParser {
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0

    /// Parses one JSON value that may be surrounded by whitespace (writers pad headers with
    /// trailing spaces); anything else after the value is an error.
    static func parse(_ bytes: [UInt8]) throws(SafetensorsJSONError) -> SafetensorsJSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalid }
        var parser = SafetensorsJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw .invalid }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(SafetensorsJSONError) {
        guard current == byte else { throw .invalid }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws(SafetensorsJSONError) -> SafetensorsJSONValue {
        guard depth < Self.maximumDepth, let byte = current else { throw .invalid }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        default: return .number(try parseNumber())
        }
    }

    private mutating func parseLiteral(_ literal: String) throws(SafetensorsJSONError) {
        for byte in literal.utf8 { try expect(byte) }
    }

    private mutating func parseObject(depth: Int) throws(SafetensorsJSONError) -> SafetensorsJSONValue {
        try expect(UInt8(ascii: "{"))
        var members: [(key: String, value: SafetensorsJSONValue)] = []
        var seen: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            let key = try parseString()
            guard seen.insert(key).inserted else { throw .duplicateKey(key) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"))
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(SafetensorsJSONError) -> SafetensorsJSONValue {
        try expect(UInt8(ascii: "["))
        var elements: [SafetensorsJSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "]"))
            return .array(elements)
        }
    }

    private mutating func parseString() throws(SafetensorsJSONError) -> String {
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw .invalid }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                // The whole header was validated as UTF-8 and escapes only add valid scalars.
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = current else { throw .invalid }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: try parseUnicodeEscape())
                default: throw .invalid
                }
            case 0x00..<0x20:
                throw .invalid  // control characters must be escaped
            default:
                utf8.append(byte)
            }
        }
    }

    /// Decodes the `XXXX` after `\u`, joining a surrogate pair; lone surrogates are rejected.
    private mutating func parseUnicodeEscape() throws(SafetensorsJSONError) -> [UInt8] {
        var value = UInt32(try parseHex4())
        if (0xD800..<0xDC00).contains(value) {
            try expect(UInt8(ascii: "\\"))
            try expect(UInt8(ascii: "u"))
            let low = UInt32(try parseHex4())
            guard (0xDC00..<0xE000).contains(low) else { throw .invalid }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw .invalid }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func parseHex4() throws(SafetensorsJSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw .invalid }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalid
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as its source text.
    private mutating func parseNumber() throws(SafetensorsJSONError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard skipDigits() > 0 else { throw .invalid }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw .invalid }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw .invalid }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func skipDigits() -> Int {
        var count = 0
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1; count += 1 }
        return count
    }
}
