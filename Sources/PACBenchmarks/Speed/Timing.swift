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
        withoutActuallyEscaping(body) { body in
            let rounds = secondsPerCall(alternating: [body], minimumSampleSeconds: minimumSampleSeconds, samples: samples)
            return median(rounds.map { $0[0] })
        }
    }

    /// Seconds per call of each body, sampled in turn (one sample of each per round, `samples`
    /// rounds after each body's warm-up), so that a drift in the machine's speed (another
    /// process, the host's turbo frequency) hits all of them alike: `rounds[r][i]` is body `i`'s
    /// sample in round `r`. Ratios of bodies taken round by round compare them fairly.
    public static func secondsPerCall(alternating bodies: [() -> Void], minimumSampleSeconds: Double = 0.2,
                                      samples: Int = 5) -> [[Double]] {
        let calls = bodies.map { body in
            var calls = 1
            // Warm up and find a repetition count filling one sample.
            while true {
                let seconds = time(calls, body)
                if seconds >= minimumSampleSeconds { return calls }
                calls = seconds <= 0 ? calls * 10 : max(calls + 1, Int(Double(calls) * minimumSampleSeconds * 1.2 / seconds))
            }
        }
        return (0..<samples).map { _ in zip(bodies, calls).map { body, calls in time(calls, body) / Double(calls) } }
    }

    /// The median of `values` (the upper one of an even count).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
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
