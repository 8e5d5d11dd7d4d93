import PACIO
import PACNet
import PACNN

/// A user-facing failure of a workflow step, always one line; names the file where one is involved.
public struct WorkflowError: Error, CustomStringConvertible, Equatable {
    public let description: String
    /// The setting out of range, when that is the failure (a front end may name its own option).
    public let setting: SettingError?

    public init(_ description: String) {
        self.description = description
        setting = nil
    }

    public init(_ error: SettingError) {
        description = error.description
        setting = error
    }

    init(_ error: DataError) { self.init(error.description) }
    init(_ error: SafetensorsError) { self.init(error.description) }
    init(_ error: TrainingError) { self.init(error.description) }
}
