import Foundation

/// Process-wide engine settings.
public enum Engine {
    /// The most threads a single kernel call may use. Set it once at startup (for example to 1
    /// when independent experiments already run in parallel); results do not depend on it.
    nonisolated(unsafe) public static var maxThreads: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Which matrix-product implementation runs by default (see `GEMMBackend`).
    nonisolated(unsafe) public static var gemmBackend: GEMMBackend = .automatic
}
