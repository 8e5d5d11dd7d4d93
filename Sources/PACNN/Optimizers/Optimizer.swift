import PACEngine

/// A first-order optimizer over a fixed list of parameters.
///
/// `step()` is the single update path for every optimizer: it skips parameters without a
/// gradient or frozen entirely, and hands each optimizer's `update` the parameter's update mask
/// as `TrainableEntries`, which visits only entries whose mask is nonzero. Masked-out entries
/// and their optimizer state are therefore never written, so they stay bit-identical.
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
/// mask is nonzero.
public struct TrainableEntries {
    public let count: Int
    let mask: UnsafePointer<Float>?

    /// Calls `body(i)` for each trainable entry `i` in increasing order.
    @inline(__always)
    public func forEach(_ body: (Int) -> Void) {
        if let mask {
            for i in 0..<count where mask[i] != 0 { body(i) }
        } else {
            for i in 0..<count { body(i) }
        }
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
