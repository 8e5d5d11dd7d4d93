import PACIO
import PACNN

/// A user-facing failure of a workflow step, always one line; names the file where one is involved.
public struct WorkflowError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }

    init(_ error: DataError) { description = error.description }
    init(_ error: SafetensorsError) { description = error.description }
    init(_ error: TrainingError) { description = error.description }
}
