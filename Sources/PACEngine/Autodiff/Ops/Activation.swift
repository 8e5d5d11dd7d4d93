import Foundation

/// The elementwise nonlinearities, defined once for the standalone ops (`relu()`, `tanh()`,
/// `sigmoid()`) and for `Variable.linear(_:weight:bias:activation:)`, which fuses them into the
/// layer's output. Each derivative is expressed through the output `y`, so backward passes keep
/// only `y`.
public enum Activation: String, CaseIterable, Sendable {
    case relu, tanh, sigmoid

    /// Applies the nonlinearity with autodiff.
    public func apply(_ x: Variable) -> Variable {
        let y: Tensor
        switch self {
        case .relu: y = Self.relu(x.value)
        case .tanh:
            var copy = x.value
            copy.withUnsafeMutablePointer { VectorTanh.apply(inPlace: $0, count: x.value.count) }
            y = copy
        case .sigmoid: y = x.value.map(function)
        }
        return Variable.record(y, inputs: [x]) { g in [self.backward(g, output: y)] }
    }

    /// `f(x)` for one scalar; sigmoid is computed without overflow for large |x|.
    @inline(__always)
    func function(_ x: Float) -> Float {
        switch self {
        case .relu: return x > 0 ? x : 0
        case .tanh: return VectorTanh.tanh(x)
        case .sigmoid:
            if x >= 0 { return 1 / (1 + Foundation.expf(-x)) }
            let e = Foundation.expf(x)
            return e / (1 + e)
        }
    }

    /// Applies `f` in place to `count` scalars.
    public func apply(inPlace p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0..<count { p[i] = p[i] > 0 ? p[i] : 0 }
        case .tanh: VectorTanh.apply(inPlace: p, count: count)
        case .sigmoid: for i in 0..<count { p[i] = function(p[i]) }
        }
    }

    /// `max(x, 0)` (NaN to 0, as `function`) as one vectorizable loop, over both cores for large
    /// tensors; `map` calls the switch-on-`self` closure per scalar.
    static func relu(_ x: Tensor) -> Tensor {
        x.withUnsafePointer { xp in
            Tensor(shape: x.shape) { out in
                ParallelRanges.forEachChunk(of: x.count) { range in
                    for i in range { out[i] = xp[i] > 0 ? xp[i] : 0 }
                }
            }
        }
    }

    /// `g` where the relu output `y` is positive, else 0.
    static func reluBackward(_ g: Tensor, output y: Tensor) -> Tensor {
        precondition(g.shape == y.shape, "relu: gradient \(g.shape) for output \(y.shape)")
        return g.withUnsafePointer { gp in
            y.withUnsafePointer { yp in
                Tensor(shape: g.shape) { out in
                    ParallelRanges.forEachChunk(of: g.count) { range in
                        for i in range { out[i] = yp[i] > 0 ? gp[i] : 0 }
                    }
                }
            }
        }
    }

    /// `g * f'(x)` from the output `y = f(x)` (relu's derivative at 0 is taken as 0).
    func backward(_ g: Tensor, output y: Tensor) -> Tensor {
        switch self {
        case .relu: Self.reluBackward(g, output: y)
        case .tanh, .sigmoid: g.zipWith(y) { gi, yi in derivativeTimes(gi, output: yi) }
        }
    }

    /// `backward` in place, `g[i] = g[i] * f'(x[i])`, with the same arithmetic.
    public func backward(inPlace g: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { g[i] = derivativeTimes(g[i], output: y[i]) }
    }

    /// `g * f'(x)` for one scalar, from the output `y`.
    @inline(__always)
    private func derivativeTimes(_ g: Float, output y: Float) -> Float {
        switch self {
        case .relu: y > 0 ? g : 0
        case .tanh: g * (1 - y * y)
        case .sigmoid: g * y * (1 - y)
        }
    }
}
