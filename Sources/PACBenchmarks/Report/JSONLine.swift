/// A single-line JSON object whose keys keep insertion order.
public struct JSONLine {
    private var fields: [String] = []

    public init() {}

    public mutating func add(_ key: String, _ value: String) { fields.append("\(quote(key)):\(quote(value))") }
    public mutating func add(_ key: String, _ value: Int) { fields.append("\(quote(key)):\(value)") }
    /// Non-finite numbers, which JSON cannot hold, and `nil` are written as `null`.
    public mutating func add(_ key: String, _ value: Double?) {
        guard let value, value.isFinite else { fields.append("\(quote(key)):null"); return }
        fields.append("\(quote(key)):\(value)")
    }

    /// The object text, e.g. `{"task":"friedman","seed":0}`.
    public var text: String { "{" + fields.joined(separator: ",") + "}" }

    private func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += "\\u" + String(format4(scalar.value)) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    private func format4(_ v: UInt32) -> String {
        let hex = String(v, radix: 16)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }
}
