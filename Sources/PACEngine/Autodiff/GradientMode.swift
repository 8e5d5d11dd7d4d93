/// Whether operations record the graph needed for `backward()`.
public enum GradientMode {
    @TaskLocal static var enabled = true

    /// True unless inside `withoutGradients`.
    public static var isEnabled: Bool { enabled }

    /// Runs `body` without recording graphs (inference, evaluation): faster and lighter.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try $enabled.withValue(false, operation: body)
    }
}
