/// A parser for the small subset of Python literals .npy headers use: a dict with string keys
/// whose values are strings, `True`/`False`/`None`, integers, and tuples or lists of these.
struct PythonLiteralParser {
    indirect enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case none
        case integer(Int)
        case sequence([Value])
    }

    /// A dict value together with its source text, for error messages.
    struct Entry {
        var value: Value
        var source: String
    }

    struct SyntaxError: Error {
        var reason: String
    }

    let text: [UInt8]
    var i = 0

    init(text: [UInt8]) { self.text = text }

    /// Parses the whole text as one dict; only whitespace may follow it.
    mutating func dictionary() throws(SyntaxError) -> [String: Entry] {
        skipSpace()
        try expect("{")
        var entries: [String: Entry] = [:]
        while true {
            skipSpace()
            if peek("}") { i += 1; break }
            guard case .string(let key) = try value() else { throw fail("expected a quoted key") }
            skipSpace()
            try expect(":")
            skipSpace()
            let start = i
            let item = try value()
            let source = String(decoding: text[start..<i], as: UTF8.self)
            guard entries.updateValue(Entry(value: item, source: source), forKey: key) == nil else {
                throw SyntaxError(reason: "duplicate key '\(key)'")
            }
            skipSpace()
            if peek(",") { i += 1; continue }
            guard peek("}") else { throw fail("expected ',' or '}'") }
            i += 1
            break
        }
        skipSpace()
        guard i == text.count else { throw fail("unexpected text after the dict") }
        return entries
    }

    private mutating func value() throws(SyntaxError) -> Value {
        guard i < text.count else { throw fail("unexpected end of header") }
        switch text[i] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "("), UInt8(ascii: "["):
            return .sequence(try sequence())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .integer(try integer())
        default:
            for (word, literal) in [("True", Value.bool(true)), ("False", .bool(false)), ("None", .none)]
            where text[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return literal
            }
            throw fail("unexpected character")
        }
    }

    private mutating func string() throws(SyntaxError) -> String {
        let delimiter = text[i]
        i += 1
        var bytes: [UInt8] = []
        while i < text.count && text[i] != delimiter {
            if text[i] == UInt8(ascii: "\\") { i += 1 }  // keep the escaped character as is
            if i < text.count { bytes.append(text[i]) }
            i += 1
        }
        guard i < text.count else { throw fail("unterminated string") }
        i += 1
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func sequence() throws(SyntaxError) -> [Value] {
        let close = text[i] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
        i += 1
        var items: [Value] = []
        while true {
            skipSpace()
            if i < text.count && text[i] == close { i += 1; return items }
            items.append(try value())
            skipSpace()
            if peek(",") { i += 1; continue }
            guard i < text.count && text[i] == close else { throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
            i += 1
            return items
        }
    }

    private mutating func integer() throws(SyntaxError) -> Int {
        let negative = text[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var result = 0
        var sawDigit = false
        while i < text.count, text[i] >= UInt8(ascii: "0") && text[i] <= UInt8(ascii: "9") {
            let (shifted, o1) = result.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(Int(text[i] - UInt8(ascii: "0")))
            guard !o1 && !o2 else { throw fail("integer too large") }
            result = sum
            sawDigit = true
            i += 1
        }
        guard sawDigit else { throw fail("expected digits") }
        if i < text.count && (text[i] == UInt8(ascii: "L") || text[i] == UInt8(ascii: "l")) { i += 1 }  // Python 2 long
        return negative ? -result : result
    }

    private mutating func skipSpace() {
        while i < text.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(text[i]) {
            i += 1
        }
    }

    private func peek(_ character: Unicode.Scalar) -> Bool {
        i < text.count && text[i] == UInt8(ascii: character)
    }

    private mutating func expect(_ character: Unicode.Scalar) throws(SyntaxError) {
        guard peek(character) else { throw fail("expected '\(character)'") }
        i += 1
    }

    /// An error naming what was expected and the byte offset within the header dict.
    private func fail(_ what: String) -> SyntaxError {
        SyntaxError(reason: "\(what) at offset \(i)")
    }
}
