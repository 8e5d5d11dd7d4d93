extension Tensor {
    /// The same scalars viewed with a new shape; one extent may be -1 (inferred).
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[unknown] = count / known
        }
        precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        var out = self
        out.shape = resolved
        return out
    }

    /// The tensor with its axes reordered: output axis `i` is input axis `permutation[i]`.
    public func permuted(_ permutation: [Int]) -> Tensor {
        precondition(permutation.sorted() == Array(0..<rank), "invalid permutation \(permutation) for rank \(rank)")
        if permutation == Array(0..<rank) { return self }
        let outShape = permutation.map { shape[$0] }
        let inStrides = Tensor.strides(of: shape)
        let gatherStrides = permutation.map { inStrides[$0] }
        let inner = outShape[rank - 1], innerStride = gatherStrides[rank - 1]
        let walker = BroadcastWalker(shape: outShape, stridesA: gatherStrides, stridesB: gatherStrides)
        return withUnsafePointer { src in
            Tensor(shape: outShape) { dst in
                walker.forEachRow { row, offset, _ in
                    let drow = dst + row * inner
                    for j in 0..<inner { drow[j] = src[offset + j * innerStride] }
                }
            }
        }
    }

    /// A rank-2 tensor's transpose (the last two axes swapped for higher ranks).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transpose needs rank >= 2, got \(shape)")
        var permutation = Array(0..<rank)
        permutation.swapAt(rank - 1, rank - 2)
        return permuted(permutation)
    }

    /// The sub-tensor with `axis` restricted to `range`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for rank \(rank)")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) out of bounds for extent \(shape[axis])")
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape
        outShape[axis] = range.count
        let block = range.count * inner
        return withUnsafePointer { src in
            Tensor(shape: outShape) { dst in
                for o in 0..<outer {
                    (dst + o * block).initialize(from: src + (o * shape[axis] + range.lowerBound) * inner, count: block)
                }
            }
        }
    }

    /// Rows (entries along axis 0) at `indices`, in that order; indices may repeat.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatherRows needs rank >= 1")
        let rowSize = count / Swift.max(shape[0], 1)
        var outShape = shape
        outShape[0] = indices.count
        for index in indices {
            precondition(index >= 0 && index < shape[0], "row \(index) out of range for \(shape[0]) rows")
        }
        return withUnsafePointer { src in
            Tensor(shape: outShape) { dst in
                for (r, index) in indices.enumerated() {
                    (dst + r * rowSize).initialize(from: src + index * rowSize, count: rowSize)
                }
            }
        }
    }

    /// Adds `rows` into the rows at `indices` (the adjoint of `gatherRows`).
    public mutating func scatterAddRows(_ rows: Tensor, at indices: [Int]) {
        let rowSize = count / Swift.max(shape[0], 1)
        precondition(rows.count == indices.count * rowSize, "scatterAddRows: shape mismatch")
        rows.withUnsafePointer { src in
            withUnsafeMutablePointer { dst in
                for (r, index) in indices.enumerated() {
                    let d = dst + index * rowSize, s = src + r * rowSize
                    for j in 0..<rowSize { d[j] += s[j] }
                }
            }
        }
    }

    /// Concatenates tensors along `axis`; all other extents must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate of nothing")
        let first = tensors[0]
        precondition(axis >= 0 && axis < first.rank, "axis \(axis) out of range")
        for t in tensors {
            precondition(t.rank == first.rank && t.shape.indices.allSatisfy { $0 == axis || t.shape[$0] == first.shape[$0] },
                         "concatenate: \(t.shape) does not match \(first.shape) off axis \(axis)")
        }
        var outShape = first.shape
        outShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = first.shape[..<axis].reduce(1, *)
        return Tensor(shape: outShape) { dst in
            var out = dst
            for o in 0..<outer {
                for t in tensors {
                    let block = t.count / Swift.max(outer, 1)
                    t.withUnsafePointer { src in out.initialize(from: src + o * block, count: block) }
                    out += block
                }
            }
        }
    }
}
