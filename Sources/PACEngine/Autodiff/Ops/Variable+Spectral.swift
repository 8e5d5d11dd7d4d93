/// Spectral penalties.
extension Variable {
    /// The sum of the `k` smallest squared singular values of a rank-2 variable `F` of shape
    /// `[b, d]`, as a scalar (rank 0): `σ²₋₁ + … + σ²₋ₖ`, over the `min(b, d)` singular values.
    ///
    /// This is the batch spectral shrinkage (BSS) penalty of Chen et al. (NeurIPS 2019) on a batch
    /// of features; the loss adds `eta * penalty`. The squared singular values are the eigenvalues
    /// of the smaller Gram matrix (`F Fᵀ` when `b < d`, else `Fᵀ F`), which is formed and
    /// decomposed in `Double` with `SymmetricEigen`. With `u` the unit eigenvectors of `F Fᵀ`
    /// (or `v` those of `Fᵀ F`) for the k smallest eigenvalues, the gradient is `Σᵢ 2 uᵢ uᵢᵀ F`
    /// (or `Σᵢ 2 F vᵢ vᵢᵀ`).
    ///
    /// The sum is differentiable wherever `σ₋ₖ` differs from the next larger singular value; where
    /// they coincide the gradient uses whichever eigenvectors the decomposition returned.
    ///
    /// - Precondition: `self` has rank 2 and `1 <= k <= min(b, d)`.
    public func smallestSquaredSingularValues(count k: Int = 1) -> Variable {
        precondition(value.rank == 2, "smallestSquaredSingularValues: needs a rank-2 input, got \(shape)")
        let b = shape[0], d = shape[1]
        let m = Swift.min(b, d), n = Swift.max(b, d)
        precondition(k >= 1 && k <= m, "smallestSquaredSingularValues: count \(k) for \(m) singular values of \(shape)")

        // Work on the short side: M is F when b < d and Fᵀ otherwise, an m x n matrix whose Gram
        // M Mᵀ (m x m) has the squared singular values as eigenvalues. M[i, l] is F's scalar at
        // i * rowStride + l * columnStride.
        let (rowStride, columnStride) = b < d ? (d, 1) : (1, d)
        var rows = [Double](repeating: 0, count: m * n)
        value.withUnsafePointer { f in
            for i in 0..<m {
                for l in 0..<n { rows[i * n + l] = Double(f[i * rowStride + l * columnStride]) }
            }
        }
        var gram = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in i..<m {
                var dot = 0.0
                for l in 0..<n { dot += rows[i * n + l] * rows[j * n + l] }
                // Mirrored rather than recomputed, so the Gram is exactly symmetric.
                gram[i * m + j] = dot
                gram[j * m + i] = dot
            }
        }
        let eigen = SymmetricEigen(symmetric: gram, order: m)
        let penalty = eigen.eigenvalues.prefix(k).reduce(0, +)
        // The k eigenvectors of the smallest eigenvalues, as the rows of a k x m matrix U.
        let u = (0..<k).flatMap { eigen.eigenvector($0) }

        let shape = self.shape
        return Variable.record(Tensor(Float(penalty)), inputs: [self]) { g in
            // d/dM = 2 Uᵀ (U M), formed as W = U M (k x n) and then Uᵀ W, scattered back into F's layout.
            var w = [Double](repeating: 0, count: k * n)
            for j in 0..<k {
                for i in 0..<m {
                    let uji = u[j * m + i]
                    for l in 0..<n { w[j * n + l] += uji * rows[i * n + l] }
                }
            }
            let scale = 2 * Double(g.scalar)
            return [Tensor(shape: shape, uninitialized: { dF in
                for i in 0..<m {
                    for l in 0..<n {
                        var total = 0.0
                        for j in 0..<k { total += u[j * m + i] * w[j * n + l] }
                        dF[i * rowStride + l * columnStride] = Float(scale * total)
                    }
                }
            })]
        }
    }
}
