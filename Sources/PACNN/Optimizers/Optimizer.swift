import PACEngine

/// A first-order optimizer over a fixed list of parameters.
///
/// `step()` is the single update path for every optimizer: it skips parameters without a
/// gradient or frozen entirely, and hands each optimizer's `update` the parameter's update mask
/// as `TrainableEntries`. Optimizers compute in SIMD chunks and store through
/// `EntryChunk.store`, which changes only trainable entries, so masked-out entries and their
/// optimizer state stay bit-identical.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates, in a fixed order.
    var parameters: [Parameter] { get }
    /// Updates the entries of parameter `index` selected by `entries`.
    func update(_ index: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, entries: TrainableEntries)
}

extension Optimizer {
    /// Applies one update to every parameter from its accumulated gradient.
    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad, !parameter.isFrozen else { continue }
            let count = parameter.value.count
            gradient.withUnsafePointer { g in
                parameter.variable.value.withUnsafeMutablePointer { v in
                    if let mask = parameter.updateMask {
                        mask.withUnsafePointer { m in
                            update(index, value: v, gradient: g, entries: TrainableEntries(count: count, mask: m))
                        }
                    } else {
                        update(index, value: v, gradient: g, entries: TrainableEntries(count: count, mask: nil))
                    }
                }
            }
        }
    }

    /// Clears the gradients of this optimizer's parameters.
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// The entries of one parameter an optimizer may change: all of them, or those whose update
/// mask is nonzero. Optimizers visit them in 16-wide SIMD chunks (`forEachChunk`).
public struct TrainableEntries {
    public let count: Int
    let mask: UnsafePointer<Float>?

    /// Calls `body` for consecutive chunks of 16 entries covering `0..<count`, skipping chunks
    /// in which no entry is trainable. A large parameter's chunks are split into contiguous
    /// ranges run concurrently (`ParallelRanges`), so `body` must read and write only its own
    /// chunk's entries (as an elementwise update does, with the same bits for any thread count).
    @inline(__always)
    public func forEachChunk(_ body: (EntryChunk) -> Void) {
        ParallelRanges.forEach(items: (count + 15) / 16, scalarsPerItem: 16) { chunks in
            forEachChunk(in: chunks, body)
        }
    }

    @inline(__always)
    private func forEachChunk(in chunks: Range<Int>, _ body: (EntryChunk) -> Void) {
        var offset = chunks.lowerBound * 16
        let end = Swift.min(count, chunks.upperBound * 16)
        while offset < end {
            let lanes = Swift.min(16, count - offset)
            var trainable = SIMDMask<SIMD16<Int32>>(repeating: true)
            if lanes < 16 {
                trainable = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .< Int32(lanes)
            }
            if let mask {
                trainable .&= EntryChunk.load(mask + offset, lanes: lanes) .!= 0
                if !any(trainable) { offset += 16; continue }
            }
            body(EntryChunk(offset: offset, lanes: lanes, trainable: trainable))
            offset += 16
        }
    }
}

/// Up to 16 consecutive entries of a parameter and which of them may change.
///
/// `store` writes only trainable lanes: the others keep their exact bits, which is how masked
/// entries and their optimizer state stay bit-identical through any number of steps.
public struct EntryChunk {
    public typealias Vector = SIMD16<Float>
    /// Index of the first entry.
    public let offset: Int
    /// Valid lanes: 16, or fewer in the last chunk.
    public let lanes: Int
    /// Lanes that may change.
    public let trainable: SIMDMask<SIMD16<Int32>>

    /// The chunk's entries of `base` (lanes past the end read as 0).
    @inline(__always)
    public func load(_ base: UnsafePointer<Float>) -> Vector { EntryChunk.load(base + offset, lanes: lanes) }

    /// Writes the trainable lanes of `value` into `base`; other entries are left as they are.
    @inline(__always)
    public func store(_ value: Vector, to base: UnsafeMutablePointer<Float>) {
        let p = base + offset
        if lanes == 16 {
            let old = UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(p).storeBytes(of: old.replacing(with: value, where: trainable), as: Vector.self)
        } else {
            for lane in 0..<lanes where trainable[lane] { p[lane] = value[lane] }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, lanes: Int) -> Vector {
        if lanes == 16 { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector()
        for lane in 0..<lanes { v[lane] = p[lane] }
        return v
    }
}

/// Per-parameter optimizer state buffers, created lazily with the parameter's size.
struct StateBuffers {
    private var buffers: [[Float]?]

    init(count: Int) { buffers = Array(repeating: nil, count: count) }

    mutating func withBuffer<R>(_ index: Int, count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        if buffers[index] == nil { buffers[index] = Array(repeating: 0, count: count) }
        return buffers[index]!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// The buffer of parameter `index`, if it exists yet.
    func buffer(_ index: Int) -> [Float]? { buffers[index] }
}
