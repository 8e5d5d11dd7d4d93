extension Tensor {
    /// The sum of all scalars (accumulated in `Double` for accuracy, returned as a rank-0 tensor).
    public func sum() -> Tensor {
        var total = 0.0
        withUnsafePointer { p in for i in 0..<count { total += Double(p[i]) } }
        return Tensor(Float(total))
    }

    /// The mean of all scalars as a rank-0 tensor.
    public func mean() -> Tensor { Tensor(sum().scalar / Float(Swift.max(count, 1))) }

    /// Sums over `axes`; reduced axes are kept with extent 1 when `keepingDims` is true.
    public func sum(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        let normalized = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        precondition(normalized.allSatisfy { $0 >= 0 && $0 < rank }, "axes \(axes) out of range for rank \(rank)")
        let kept = shape.indices.map { normalized.contains($0) ? 1 : shape[$0] }
        let reduced = sum(toShape: kept)
        return keepingDims ? reduced : reduced.reshaped(to: shape.indices.filter { !normalized.contains($0) }.map { shape[$0] })
    }

    /// Sums broadcast dimensions away so the result has `target` shape: the adjoint of
    /// broadcasting `target` up to `self.shape`. Used to reduce gradients of broadcast operands.
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        if shape.isEmpty || target.reduce(1, *) == 1 {
            return Tensor(repeating: sum().scalar, shape: target)
        }
        var out = Tensor(zeros: target)
        let so = Broadcasting.strides(of: target, broadcastTo: shape)
        let inner = shape[shape.count - 1]
        let io = so[so.count - 1]
        let walker = BroadcastWalker(shape: shape, stridesA: so, stridesB: so)
        withUnsafePointer { src in
            out.withUnsafeMutablePointer { dst in
                walker.forEachRow { row, offset, _ in
                    let srow = src + row * inner, drow = dst + offset
                    if io == 1 {
                        for j in 0..<inner { drow[j] += srow[j] }
                    } else {
                        var acc: Float = 0
                        for j in 0..<inner { acc += srow[j] }
                        drow[0] += acc
                    }
                }
            }
        }
        return out
    }

    /// The maximum scalar.
    public func max() -> Float { withUnsafePointer { p in (0..<count).reduce(-Float.infinity) { Swift.max($0, p[$1]) } } }
    /// The minimum scalar.
    public func min() -> Float { withUnsafePointer { p in (0..<count).reduce(Float.infinity) { Swift.min($0, p[$1]) } } }
}
