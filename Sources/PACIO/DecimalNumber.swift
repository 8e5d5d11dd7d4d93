/// Parses a decimal number from UTF-8 bytes: `[+-] digits [. digits] [(e|E) [+-] digits]`
/// (digits may be omitted on one side of the point), surrounded by optional spaces or tabs.
///
/// Deliberately stricter than `strtod`: no hexadecimal floats, no trailing text. NaN and
/// infinity spellings (`nan`, `inf`, `infinity`, any case, optionally signed) are recognized so
/// they get their own error messages. Most numbers convert on an exact fast path (a mantissa
/// below 2^53 scaled by an exactly representable power of ten, a single correctly rounded
/// operation); the rest go through the standard library's correctly rounded parser.
enum DecimalNumber {
    enum Parsed: Equatable {
        case value(Double)
        case notANumber
        case nan
        case infinite
    }

    /// 10^0 ... 10^22, every one exactly representable as a Double.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var power = 1.0
        for _ in 0..<exponent { power *= 10 }
        return power
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Parsed {
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }

        var i = start
        var negative = false
        if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        let body = i

        var mantissa: UInt64 = 0
        var digits = 0           // significant digits held in `mantissa` (at most 19)
        var exponent = 0         // power of ten applied to `mantissa`
        var inexact = false      // nonzero digits were dropped beyond the 19th
        var sawDigit = false

        while i < end, let d = digit(bytes[i]) {
            sawDigit = true
            if digits < 19 {
                if mantissa != 0 || d != 0 {
                    mantissa = mantissa * 10 + d
                    digits += 1
                }
            } else {
                exponent += 1
                if d != 0 { inexact = true }
            }
            i += 1
        }
        if i < end && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, let d = digit(bytes[i]) {
                sawDigit = true
                if digits < 19 {
                    // Leading zeros after the point only shift the exponent.
                    if mantissa != 0 || d != 0 {
                        mantissa = mantissa * 10 + d
                        digits += 1
                    }
                    exponent -= 1
                } else if d != 0 {
                    inexact = true
                }
                i += 1
            }
        }
        guard sawDigit else { return special(bytes, from: body, to: end) }

        if i < end && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var written = 0
            var sawExponentDigit = false
            while i < end, let d = digit(bytes[i]) {
                sawExponentDigit = true
                // Clamp absurd exponents; anything this large over- or underflows anyway.
                if written < 100_000 { written = written * 10 + Int(d) }
                i += 1
            }
            guard sawExponentDigit else { return .notANumber }
            exponent += exponentNegative ? -written : written
        }
        guard i == end else { return .notANumber }

        var value: Double
        if mantissa == 0 {
            value = 0
        } else if !inexact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            value = Double(mantissa)
            value = exponent >= 0 ? value * powersOfTen[exponent] : value / powersOfTen[-exponent]
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            guard let parsed = Double(text) else { return .notANumber }
            return parsed.isInfinite ? .infinite : .value(parsed)
        }
        return .value(negative ? -value : value)
    }

    @inline(__always)
    private static func digit(_ byte: UInt8) -> UInt64? {
        byte &- UInt8(ascii: "0") < 10 ? UInt64(byte &- UInt8(ascii: "0")) : nil
    }

    /// Classifies text with no digits: a NaN or infinity spelling, or not a number.
    private static func special(_ bytes: UnsafeBufferPointer<UInt8>, from i: Int, to end: Int) -> Parsed {
        guard end - i <= 8 else { return .notANumber }
        // ASCII letters lower-cased by setting bit 5; other bytes cannot then spell the words.
        let word = bytes[i..<end].map { $0 | 0x20 }
        switch word {
        case Array("nan".utf8): return .nan
        case Array("inf".utf8), Array("infinity".utf8): return .infinite
        default: return .notANumber
        }
    }
}
