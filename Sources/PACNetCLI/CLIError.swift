import PACNet

/// A user-facing error: ArgumentParser prints it as one `Error: ...` line and exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// The option that sets each library setting: the library names settings, only the command
    /// line knows its flags.
    static let flags = [
        "source epochs": "--source-epochs", "allocation epochs": "--allocate-epochs", "target epochs": "--target-epochs",
        "batch size": "--batch-size", "learning rate": "--learning-rate", "pruning ratio": "--ratio",
        "penalty strength": "--lambda", "n_target": "--n-target", "n_target values": "--n-target",
        "ratios and lambdas": "--ratio/--lambda", "epochs": "--epochs", "validation fraction": "--validation",
    ]

    /// A setting out of range, in the words of the command line (`flag`, or the setting's usual one).
    init(_ error: SettingError, flag: String? = nil) {
        self.init("\(flag ?? Self.flags[error.setting] ?? error.setting) must be \(error.requirement), got \(error.value)")
    }
}

/// Builds a validated setting from an option's value, turning a `SettingError` into a CLI error
/// that names `flag`.
func validated<Value>(_ flag: String, _ make: () throws(SettingError) -> Value) throws(CLIError) -> Value {
    do { return try make() } catch { throw CLIError(error, flag: flag) }
}
