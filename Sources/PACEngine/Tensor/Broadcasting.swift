/// NumPy-style broadcasting rules shared by every elementwise operation.
public enum Broadcasting {
    /// The shape two operands broadcast to, or `nil` when they are incompatible.
    ///
    /// Shapes are aligned at their trailing dimensions; each pair of extents must match or one
    /// of them must be 1.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = Array(repeating: 0, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else { return nil }
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Strides (in elements) for reading an operand of `shape` as if it had `target` shape:
    /// broadcast dimensions get stride 0.
    public static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let own = Tensor.strides(of: shape)
        let offset = target.count - shape.count
        precondition(offset >= 0, "cannot broadcast \(shape) to \(target)")
        return target.indices.map { axis in
            guard axis >= offset else { return 0 }
            let dim = shape[axis - offset]
            precondition(dim == target[axis] || dim == 1, "cannot broadcast \(shape) to \(target)")
            return dim == 1 ? 0 : own[axis - offset]
        }
    }
}

/// Walks the outer dimensions of a broadcast iteration space, yielding base offsets for each
/// innermost row so kernels can run a tight loop over the last dimension.
@usableFromInline
struct BroadcastWalker {
    @usableFromInline let outerShape: [Int]
    @usableFromInline let stridesA: [Int]
    @usableFromInline let stridesB: [Int]

    @inlinable
    init(shape: [Int], stridesA: [Int], stridesB: [Int]) {
        outerShape = Array(shape.dropLast())
        self.stridesA = Array(stridesA.dropLast())
        self.stridesB = Array(stridesB.dropLast())
    }

    /// Calls `body(row, offsetA, offsetB)` for every innermost row, in row-major order.
    @inlinable
    func forEachRow(_ body: (Int, Int, Int) -> Void) {
        let rows = outerShape.reduce(1, *)
        var counter = Array(repeating: 0, count: outerShape.count)
        var offsetA = 0, offsetB = 0
        for row in 0..<rows {
            body(row, offsetA, offsetB)
            var axis = outerShape.count - 1
            while axis >= 0 {
                counter[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if counter[axis] < outerShape[axis] { break }
                offsetA -= stridesA[axis] * counter[axis]
                offsetB -= stridesB[axis] * counter[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
    }
}
