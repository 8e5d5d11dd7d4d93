/// Shape and indexing operations.
extension Variable {
    public func reshaped(to newShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable.record(value.reshaped(to: newShape), inputs: [self]) { g in [g.reshaped(to: shape)] }
    }

    /// Reorders axes: output axis `i` is input axis `permutation[i]`.
    public func permuted(_ permutation: [Int]) -> Variable {
        var inverse = permutation
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return Variable.record(value.permuted(permutation), inputs: [self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps the last two axes.
    public func transposed() -> Variable {
        var permutation = Array(0..<value.rank)
        permutation.swapAt(value.rank - 1, value.rank - 2)
        return permuted(permutation)
    }

    /// Restricts `axis` to `range`.
    public func slice(axis: Int, _ range: Range<Int>) -> Variable {
        let shape = self.shape
        return Variable.record(value.slice(axis: axis, range), inputs: [self]) { g in
            // The adjoint scatters the gradient back into a zero tensor of the input's shape.
            let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
            var dx = Tensor(zeros: shape)
            let block = range.count * inner
            dx.withUnsafeMutablePointer { d in
                g.withUnsafePointer { s in
                    for o in 0..<outer {
                        (d + (o * shape[axis] + range.lowerBound) * inner).update(from: s + o * block, count: block)
                    }
                }
            }
            return [dx]
        }
    }

    /// Rows (axis-0 entries) at `indices`.
    public func gatherRows(_ indices: [Int]) -> Variable {
        let shape = self.shape
        return Variable.record(value.gatherRows(indices), inputs: [self]) { g in
            var dx = Tensor(zeros: shape)
            dx.scatterAddRows(g, at: indices)
            return [dx]
        }
    }

    /// Concatenates along `axis`.
    public static func concatenate(_ parts: [Variable], axis: Int) -> Variable {
        let extents = parts.map { $0.shape[axis] }
        return Variable.record(Tensor.concatenate(parts.map(\.value), axis: axis), inputs: parts) { g in
            var start = 0
            return extents.map { extent in
                defer { start += extent }
                return g.slice(axis: axis, start..<(start + extent))
            }
        }
    }
}
