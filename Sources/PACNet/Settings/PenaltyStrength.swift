/// The strength `lambda` of a penalty added to the training loss (PAC-Net's on the pruned
/// entries, L2-SP's, ...): a finite number >= 0, applied as a Float as training computes it.
public struct PenaltyStrength: Sendable, Hashable, CustomStringConvertible, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public let value: Float

    /// The allowed range, for messages and help text.
    public static let requirement = "a finite number >= 0"
    /// PAC-Net's default (the benchmark specification's).
    public static let paperDefault: PenaltyStrength = 0.01

    public init(_ value: Float) throws(SettingError) {
        guard value >= 0 && value.isFinite else { throw SettingError("penalty strength", must: Self.requirement, got: value) }
        self.value = value
    }

    /// From a Double option, rounded to Float first (as training uses it).
    public init(_ value: Double) throws(SettingError) {
        guard value >= 0 && value.isFinite else { throw SettingError("penalty strength", must: Self.requirement, got: value) }
        try self.init(Float(value))
    }

    /// A literal in code; a literal out of range is a programming error.
    public init(floatLiteral value: Float) {
        do { try self.init(value) } catch { preconditionFailure(error.description) }
    }

    /// An integer literal in code (`0`: no penalty).
    public init(integerLiteral value: Int) { self.init(floatLiteral: Float(value)) }

    /// The value as the decimal text of the Float (`0.01`, not `0.009999999776`).
    public var description: String { "\(value)" }
}
