extension Tensor {
    /// The matrix product `op(self) * op(other)` of two rank-2 tensors, where `op` optionally
    /// transposes its operand (without copying it).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs rank-2 operands, got \(shape) and \(other.shape)")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == k2, "matmul inner dimensions differ: \(shape)\(transposeSelf ? "^T" : "") x \(other.shape)\(transposeOther ? "^T" : "")")
        // beta = 0: the product overwrites every output element.
        return withUnsafePointer { a in
            other.withUnsafePointer { b in
                Tensor(shape: [m, n]) { c in
                    GEMM.multiply(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                                  a: a, lda: shape[1], b: b, ldb: other.shape[1], c: c, ldc: n)
                }
            }
        }
    }
}
