import Dispatch

/// Monotonic wall-clock timing of training stages, in seconds.
public struct Stopwatch: Sendable {
    private var start = DispatchTime.now().uptimeNanoseconds

    /// Starts timing now.
    public init() {}

    /// Seconds since creation or the previous lap.
    public var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Seconds since creation or the previous lap, restarting the count.
    public mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { start = now }
        return Double(now - start) / 1e9
    }
}
