/// The reference-counted buffer behind `Tensor`. Buffers come from and return to
/// `BufferPool`, so a training loop that creates tensors of the same sizes every step reuses
/// the same memory instead of allocating (and page-faulting) new buffers.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<Float>
    @usableFromInline let count: Int

    /// A buffer whose contents are undefined until written.
    @usableFromInline
    init(uninitializedCount count: Int) {
        self.count = count
        pointer = BufferPool.shared.take(count)
    }

    /// A buffer holding a copy of `scalars`.
    convenience init(copying scalars: UnsafeBufferPointer<Float>) {
        self.init(uninitializedCount: scalars.count)
        if let base = scalars.baseAddress { pointer.update(from: base, count: scalars.count) }
    }

    /// A copy of this buffer (copy-on-write).
    @usableFromInline
    func copy() -> TensorStorage {
        TensorStorage(copying: UnsafeBufferPointer(start: pointer, count: count))
    }

    deinit { BufferPool.shared.recycle(pointer, count: count) }
}
