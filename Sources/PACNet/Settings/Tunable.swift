/// A setting given by the user, or chosen from a grid by cross-validation on the target
/// training data (`auto`).
public enum Tunable<Value: Sendable & Hashable>: Sendable, Hashable {
    case fixed(Value)
    case auto

    /// The fixed value, `nil` for `auto`.
    public var fixedValue: Value? {
        if case .fixed(let value) = self { return value }
        return nil
    }

    public var isAuto: Bool { self == .auto }
}
