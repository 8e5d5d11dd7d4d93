/// Splits independent items (rows, channels, chunks of scalars) into contiguous ranges run on
/// up to `Engine.maxThreads` threads, for memory-bound passes over large tensors (batch norm,
/// activations, optimizer updates). Each item is processed whole by one thread, so a caller that
/// keeps every item's arithmetic inside the item gets the same bits for any thread count.
public enum ParallelRanges {
    /// Jobs touching fewer scalars than this stay on the calling thread: handing work to another
    /// thread costs microseconds (tens when it has to be woken), about a pass over this many floats.
    static let threshold = 1 << 17

    /// Calls `body` on disjoint ranges covering `0..<items`, concurrently when the job
    /// (`items * scalarsPerItem` scalars) is large enough. `body` must only write memory owned by
    /// the items of its range. The ranges (about four per thread) are claimed one at a time, so a
    /// thread that starts late or runs slow takes fewer.
    public static func forEach(items: Int, scalarsPerItem: Int, threads: Int = Engine.maxThreads, _ body: (Range<Int>) -> Void) {
        let workers = Swift.min(threads, 8, items, items * scalarsPerItem / threshold)
        guard workers > 1 else {
            body(0..<items)
            return
        }
        let ranges = Swift.min(items, 4 * workers)
        WorkerPool.shared.perform(workers: workers, units: ranges) { _, units in
            for r in units { body((r * items / ranges)..<((r + 1) * items / ranges)) }
        }
    }

    /// `forEach` over the scalar indices `0..<count`, in chunks of 4096 (for elementwise passes).
    static func forEachChunk(of count: Int, threads: Int = Engine.maxThreads, _ body: (Range<Int>) -> Void) {
        let chunk = 1 << 12
        forEach(items: (count + chunk - 1) / chunk, scalarsPerItem: chunk, threads: threads) { items in
            body((items.lowerBound * chunk)..<Swift.min(count, items.upperBound * chunk))
        }
    }
}
