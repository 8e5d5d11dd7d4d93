import Foundation

extension Tensor {
    /// Applies `op` elementwise to `self` and `other` after broadcasting them to a common shape.
    @inlinable
    public func zipWith(_ other: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
        if shape == other.shape {
            let n = count
            return withUnsafePointer { a in
                other.withUnsafePointer { b in
                    Tensor(shape: shape) { o in for i in 0..<n { o[i] = op(a[i], b[i]) } }
                }
            }
        }
        guard let outShape = Broadcasting.shape(shape, other.shape) else {
            preconditionFailure("shapes \(shape) and \(other.shape) do not broadcast")
        }
        if outShape.isEmpty { return Tensor(op(scalar, other.scalar)) }
        let sa = Broadcasting.strides(of: shape, broadcastTo: outShape)
        let sb = Broadcasting.strides(of: other.shape, broadcastTo: outShape)
        let inner = outShape[outShape.count - 1]
        let ia = sa[sa.count - 1], ib = sb[sb.count - 1]
        let walker = BroadcastWalker(shape: outShape, stridesA: sa, stridesB: sb)
        return withUnsafePointer { a in
            other.withUnsafePointer { b in
                Tensor(shape: outShape) { o in
                    walker.forEachRow { row, offA, offB in
                        let orow = o + row * inner, arow = a + offA, brow = b + offB
                        switch (ia, ib) {
                        case (1, 1): for j in 0..<inner { orow[j] = op(arow[j], brow[j]) }
                        case (1, 0): let y = brow[0]; for j in 0..<inner { orow[j] = op(arow[j], y) }
                        case (0, 1): let x = arow[0]; for j in 0..<inner { orow[j] = op(x, brow[j]) }
                        default: let v = op(arow[0], brow[0]); for j in 0..<inner { orow[j] = v }
                        }
                    }
                }
            }
        }
    }

    /// Applies `op` to every scalar.
    @inlinable
    public func map(_ op: (Float) -> Float) -> Tensor {
        let n = count
        return withUnsafePointer { a in
            Tensor(shape: shape) { o in for i in 0..<n { o[i] = op(a[i]) } }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.shape == b.shape ? a.sameShapeSum(b) : a.zipWith(b, +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, -) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, /) }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { s * $0 } }
    public static func / (a: Tensor, s: Float) -> Tensor { a.map { $0 / s } }

    /// In-place `self += other` for same-shaped tensors (gradient accumulation); large tensors
    /// are split over threads (elementwise, so the same bits for any thread count).
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add: \(shape) vs \(other.shape)")
        let n = count
        withUnsafeMutablePointer { o in
            other.withUnsafePointer { b in
                ParallelRanges.forEachChunk(of: n) { range in for i in range { o[i] += b[i] } }
            }
        }
    }

    /// `self + other` for same-shaped tensors, split over threads like `add`.
    func sameShapeSum(_ other: Tensor) -> Tensor {
        withUnsafePointer { a in
            other.withUnsafePointer { b in
                Tensor(shape: shape) { o in
                    ParallelRanges.forEachChunk(of: count) { range in for i in range { o[i] = a[i] + b[i] } }
                }
            }
        }
    }

    /// Elementwise `max(x, 0)`.
    public func relu() -> Tensor { map(Activation.relu.function) }
    /// Elementwise hyperbolic tangent.
    public func tanh() -> Tensor { map(Activation.tanh.function) }
    /// Elementwise logistic sigmoid, computed without overflow for large |x|.
    public func sigmoid() -> Tensor { map(Activation.sigmoid.function) }
    /// Elementwise exponential.
    public func exp() -> Tensor { map { Foundation.expf($0) } }
    /// Elementwise natural logarithm.
    public func log() -> Tensor { map { Foundation.logf($0) } }
    /// Elementwise square root.
    public func sqrt() -> Tensor { map { $0.squareRoot() } }
    /// Elementwise square.
    public func squared() -> Tensor { map { $0 * $0 } }
    /// Elementwise `log(1 + exp(x))`, stable for large |x|.
    public func softplus() -> Tensor {
        map { x in Swift.max(x, 0) + Foundation.log1pf(Foundation.expf(-abs(x))) }
    }
}
