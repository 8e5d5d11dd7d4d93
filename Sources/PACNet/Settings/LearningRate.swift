/// Adam's step size: a positive finite number.
public struct LearningRate: Sendable, Hashable, CustomStringConvertible, ExpressibleByFloatLiteral {
    public let value: Float

    /// The allowed range, for messages and help text.
    public static let requirement = "a positive finite number"
    /// Every stage's default (PyTorch's Adam default).
    public static let standard: LearningRate = 1e-3

    public init(_ value: Float) throws(SettingError) {
        guard value > 0 && value.isFinite else { throw SettingError("learning rate", must: Self.requirement, got: value) }
        self.value = value
    }

    /// From a Double option, rounded to Float first (as training uses it).
    public init(_ value: Double) throws(SettingError) {
        guard value > 0 && value.isFinite else { throw SettingError("learning rate", must: Self.requirement, got: value) }
        try self.init(Float(value))
    }

    /// A literal in code; a literal out of range is a programming error.
    public init(floatLiteral value: Float) {
        do { try self.init(value) } catch { preconditionFailure(error.description) }
    }

    public var description: String { "\(value)" }
}
