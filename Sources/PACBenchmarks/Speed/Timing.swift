import Dispatch

/// Wall-clock timing for speed benchmarks: warm up, then take the median of several samples,
/// each long enough to swamp timer resolution.
public enum Timing {
    /// Median seconds per call of `body`.
    ///
    /// - Parameters:
    ///   - minimumSampleSeconds: each sample repeats `body` until at least this much time passes.
    ///   - samples: samples taken after one warm-up sample.
    public static func secondsPerCall(minimumSampleSeconds: Double = 0.2, samples: Int = 5, _ body: () -> Void) -> Double {
        var calls = 1
        // Warm up and find a repetition count filling one sample.
        while true {
            let seconds = time(calls, body)
            if seconds >= minimumSampleSeconds { break }
            calls = seconds <= 0 ? calls * 10 : max(calls + 1, Int(Double(calls) * minimumSampleSeconds * 1.2 / seconds))
        }
        let measured = (0..<samples).map { _ in time(calls, body) / Double(calls) }.sorted()
        return measured[measured.count / 2]
    }

    /// Seconds taken by one call of `body`.
    public static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private static func time(_ calls: Int, _ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
