/// Reductions.
extension Variable {
    /// The sum of all elements (rank 0).
    public func sum() -> Variable {
        let shape = self.shape
        return Variable.record(value.sum(), inputs: [self]) { g in [Tensor(repeating: g.scalar, shape: shape)] }
    }

    /// The mean of all elements (rank 0).
    public func mean() -> Variable { sum() / Float(Swift.max(value.count, 1)) }

    /// Sums over `axes`.
    public func sum(alongAxes axes: [Int], keepingDims: Bool = false) -> Variable {
        let shape = self.shape
        let kept = value.sum(alongAxes: axes, keepingDims: true)
        let result = keepingDims ? kept : value.sum(alongAxes: axes, keepingDims: false)
        return Variable.record(result, inputs: [self]) { g in
            [Tensor(zeros: shape) + g.reshaped(to: kept.shape)]
        }
    }

    /// Means over `axes`.
    public func mean(alongAxes axes: [Int], keepingDims: Bool = false) -> Variable {
        let n = axes.map { shape[$0 < 0 ? $0 + shape.count : $0] }.reduce(1, *)
        return sum(alongAxes: axes, keepingDims: keepingDims) / Float(Swift.max(n, 1))
    }
}
