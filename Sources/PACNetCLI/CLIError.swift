/// A user-facing error: ArgumentParser prints it as one `Error: ...` line and exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
