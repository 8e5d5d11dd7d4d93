/// A setting out of its range, named by what it is (not by how a program spells its option:
/// the command line adds its flag names).
public struct SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the setting is, e.g. `pruning ratio`.
    public let setting: String
    /// The allowed range, e.g. `in (0, 1)`.
    public let requirement: String
    /// The value given, as text.
    public let value: String

    public init(_ setting: String, must requirement: String, got value: some CustomStringConvertible) {
        self.setting = setting
        self.requirement = requirement
        self.value = value.description
    }

    public var description: String { "\(setting) must be \(requirement), got \(value)" }
}
