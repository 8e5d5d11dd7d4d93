import Synchronization

/// A process-wide cache of freed tensor buffers, keyed by exact size.
///
/// Training creates tensors of the same few sizes at every step; recycling their buffers makes
/// the steady state allocation-free for tensor data. The cache holds at most
/// `capacityInFloats` floats (buffers beyond that are freed), so memory stays bounded.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    /// Upper bound on cached floats (256 MiB). A batch-128 ResNet step frees about 150 MiB of
    /// activations and gradients at once; a smaller cache freed them and the next step
    /// page-faulted fresh memory back in (7% of the step).
    static let capacityInFloats = 64 << 20

    private struct State {
        /// Wrapped so buffers can move in and out of the lock's region: a cached buffer is
        /// referenced by the pool alone until `take` hands it to exactly one caller.
        var free: [Int: [UncheckedSendable<UnsafeMutablePointer<Float>>]] = [:]
        var cachedFloats = 0
    }

    private let state = Mutex(State())

    /// A buffer of `count` floats (contents undefined).
    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let reused: UncheckedSendable<UnsafeMutablePointer<Float>>? = state.withLock { state in
            guard let pointer = state.free[count]?.popLast() else { return nil }
            state.cachedFloats -= count
            return pointer
        }
        return reused?.value ?? UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
    }

    /// Returns a buffer obtained from `take(count)`.
    func recycle(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let kept = state.withLock { state in
            guard state.cachedFloats + count <= Self.capacityInFloats else { return false }
            state.free[count, default: []].append(UncheckedSendable(pointer))
            state.cachedFloats += count
            return true
        }
        if !kept { pointer.deallocate() }
    }
}
