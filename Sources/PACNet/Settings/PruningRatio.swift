/// The fraction of a network's prunable entries that PAC-Net prunes (frees for the target),
/// in (0, 1).
public struct PruningRatio: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByFloatLiteral {
    public let value: Double

    /// The allowed range, for messages and help text.
    public static let requirement = "in (0, 1)"
    /// PAC-Net's default.
    public static let paperDefault: PruningRatio = 0.8

    public init(_ value: Double) throws(SettingError) {
        guard value > 0 && value < 1 else { throw SettingError("pruning ratio", must: Self.requirement, got: value) }
        self.value = value
    }

    /// A literal in code; a literal out of range is a programming error.
    public init(floatLiteral value: Double) {
        do { try self.init(value) } catch { preconditionFailure(error.description) }
    }

    public static func < (a: PruningRatio, b: PruningRatio) -> Bool { a.value < b.value }
    public var description: String { "\(value)" }
}
