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

    private func quote(_ s: String) -> String { JSONString.quoted(s) }
}
