/// The text forms the SVG writer emits: compact numbers and XML-escaped strings.
public enum SVGFormat {
    /// `value` rounded to two decimals with trailing zeros dropped: `12`, `3.5`, `-0.25`.
    /// Non-finite values become `0` so a document never contains `NaN` or `inf`; magnitudes
    /// are clamped to ±1e9.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let clamped = min(max(value, -1e9), 1e9)
        let cents = Int64((abs(clamped) * 100).rounded())
        if cents == 0 { return "0" }
        let whole = cents / 100, fraction = cents % 100
        var text = clamped < 0 ? "-\(whole)" : "\(whole)"
        if fraction != 0 {
            text += fraction % 10 == 0 ? ".\(fraction / 10)" : (fraction < 10 ? ".0\(fraction)" : ".\(fraction)")
        }
        return text
    }

    /// `text` safe inside XML character data and attribute values: `&`, `<`, `>`, `"` and `'`
    /// become entities, and control characters XML 1.0 forbids are dropped (tab, newline and
    /// carriage return are kept).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
