import Dispatch

/// Monotonic wall-clock readings for timing stages.
enum DispatchClock {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
