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
    /// `<path> is not a safetensors file (...)` for bytes that are not one at all, else the
    /// error's own line.
    init(_ error: SafetensorsError) { self.init(error.summary) }
    init(_ error: TrainingError) { self.init(error.description) }

    /// Text from a file (a metadata value, a name) as a message shows it: control characters
    /// escaped so the message stays on one line, and cut after `limit` characters (ending in
    /// `...`) so a hostile value cannot flood it.
    static func shown(_ text: String, limit: Int = 60) -> String {
        var line = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { return line + "..." }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                line += scalar.escaped(asASCII: true)
            } else {
                line.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return line
    }

    /// `shown(text)` in single quotes.
    static func quoted(_ text: String, limit: Int = 60) -> String { "'" + shown(text, limit: limit) + "'" }
}
