/// The eigendecomposition `A = V Λ Vᵀ` of a real symmetric matrix, by the cyclic Jacobi method.
///
/// Jacobi rotations are applied to every off-diagonal pair in turn (a *sweep*) until the
/// off-diagonal part vanishes. The method converges quadratically and is backward stable: the
/// residuals `‖A v - λ v‖` are a small multiple of `ε ‖A‖`, and the eigenvectors are orthonormal
/// to working precision even for repeated or clustered eigenvalues. A sweep costs `O(n³)` and
/// the sweep count grows slowly with `n` (typically 6 to 12), which suits the small matrices it is
/// used for here (`n` up to a few hundred). Everything is computed in `Double`.
public struct SymmetricEigen: Sendable {
    /// The matrix order `n`.
    public let order: Int
    /// The `n` eigenvalues in ascending order.
    public let eigenvalues: [Double]
    /// The eigenvectors as the columns of a row-major `n x n` orthogonal matrix `V`: column `j`
    /// (the entries `eigenvectors[i * n + j]`) is the unit eigenvector of `eigenvalues[j]`.
    /// Each vector's sign is arbitrary.
    public let eigenvectors: [Double]
    /// The number of Jacobi sweeps taken.
    public let sweeps: Int

    /// The sweep limit; convergence normally takes well under 20 sweeps, so this only guards
    /// against looping forever.
    static let maxSweeps = 100

    /// Decomposes the symmetric `n x n` matrix `matrix`, given in row-major order.
    ///
    /// - Parameters:
    ///   - matrix: `n * n` finite scalars, row-major. The matrix must be symmetric up to
    ///     rounding; it is symmetrized as `(A + Aᵀ) / 2` first, so a tiny asymmetry from
    ///     floating-point products is harmless.
    ///   - n: the matrix order, `n >= 0`.
    /// - Precondition: `matrix.count == n * n`, every entry is finite, and
    ///   `|aᵢⱼ - aⱼᵢ| <= 1e-8 * max|a|` for all `i, j`.
    public init(symmetric matrix: [Double], order n: Int) {
        precondition(n >= 0, "SymmetricEigen: negative order \(n)")
        precondition(matrix.count == n * n, "SymmetricEigen: \(matrix.count) entries do not form a square matrix of order \(n)")
        precondition(matrix.allSatisfy(\.isFinite), "SymmetricEigen: the matrix has a non-finite entry")
        let largest = matrix.reduce(0.0) { Swift.max($0, Swift.abs($1)) }
        for i in 0..<n {
            for j in (i + 1)..<n {
                precondition(Swift.abs(matrix[i * n + j] - matrix[j * n + i]) <= 1e-8 * largest,
                             "SymmetricEigen: the matrix is not symmetric at (\(i), \(j))")
            }
        }

        // Scaling by a power of two is exact and keeps squares and sums of entries far from
        // overflow and underflow whatever the matrix's magnitude (the clamp keeps the scale
        // itself finite for subnormal matrices).
        let shift = largest > 0 ? Swift.min(-Int(largest.exponent), 1000) : 0
        let scale = Double(sign: .plus, exponent: shift, significand: 1)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { a[i * n + j] = 0.5 * (matrix[i * n + j] * scale + matrix[j * n + i] * scale) }
        }
        // Vᵀ, so that each eigenvector is a contiguous row while rotations update it.
        var vt = [Double](repeating: 0, count: n * n)
        for i in 0..<n { vt[i * n + i] = 1 }

        let sweeps = Self.diagonalize(&a, transposedVectors: &vt, order: n)

        // Sort ascending, permuting the eigenvectors alongside.
        let order = (0..<n).sorted { a[$0 * n + $0] < a[$1 * n + $1] }
        self.order = n
        self.eigenvalues = order.map { a[$0 * n + $0] / scale }
        var sorted = [Double](repeating: 0, count: n * n)
        for (column, source) in order.enumerated() {
            for i in 0..<n { sorted[i * n + column] = vt[source * n + i] }
        }
        self.eigenvectors = sorted
        self.sweeps = sweeps
    }

    /// The unit eigenvector of `eigenvalues[index]` (column `index` of `V`).
    public func eigenvector(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < order, "SymmetricEigen: eigenvector \(index) of \(order)")
        return (0..<order).map { eigenvectors[$0 * order + index] }
    }

    /// Runs cyclic Jacobi sweeps on the full symmetric matrix `a` (kept symmetric throughout)
    /// until its off-diagonal part is exactly zero, accumulating the rotations into `Vᵀ`.
    /// Returns the number of sweeps. The thresholding follows Rutishauser's `jacobi` (as in
    /// Numerical Recipes): early sweeps skip entries that are small compared with the average
    /// off-diagonal size, and later ones set entries to zero once they no longer change the
    /// diagonal, which guarantees termination.
    private static func diagonalize(_ a: inout [Double], transposedVectors vt: inout [Double], order n: Int) -> Int {
        guard n > 1 else { return 0 }
        for sweep in 1...maxSweeps {
            var offDiagonal = 0.0
            for p in 0..<n {
                for q in (p + 1)..<n { offDiagonal += Swift.abs(a[p * n + q]) }
            }
            if offDiagonal == 0 { return sweep - 1 }
            // Rotating only the larger entries first saves work while the matrix is far from diagonal.
            let threshold = sweep < 4 ? 0.2 * offDiagonal / Double(n * n) : 0
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    let app = a[p * n + p], aqq = a[q * n + q]
                    let negligible = 100 * Swift.abs(apq)
                    if sweep > 4 && Swift.abs(app) + negligible == Swift.abs(app) && Swift.abs(aqq) + negligible == Swift.abs(aqq) {
                        // Far below the diagonal's rounding: dropping it changes no eigenvalue.
                        a[p * n + q] = 0
                        a[q * n + p] = 0
                        continue
                    }
                    guard Swift.abs(apq) > threshold, apq != 0 else { continue }
                    rotate(&a, transposedVectors: &vt, order: n, p: p, q: q)
                }
            }
        }
        return maxSweeps
    }

    /// Applies the Jacobi rotation `J` in the `(p, q)` plane that zeroes `a[p, q]`:
    /// `A ← Jᵀ A J`, `Vᵀ ← Jᵀ Vᵀ`.
    private static func rotate(_ a: inout [Double], transposedVectors vt: inout [Double], order n: Int, p: Int, q: Int) {
        let apq = a[p * n + q]
        let difference = a[q * n + q] - a[p * n + p]
        // t = tan(angle), the smaller root of t² + 2θt - 1 = 0 with θ = (a_qq - a_pp) / (2 a_pq):
        // the rotation by at most 45° that keeps the update stable.
        let t: Double
        if Swift.abs(apq) <= Double.ulpOfOne * Swift.abs(difference) {
            t = apq / difference // |θ| is so large that t = 1 / (2θ) to working precision (and θ² may overflow)
        } else {
            let theta = 0.5 * difference / apq
            let magnitude = 1 / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
            t = theta < 0 ? -magnitude : magnitude
        }
        let c = 1 / (t * t + 1).squareRoot()
        let s = t * c
        // tau = tan(angle / 2): updates written as x - s (y + tau x) lose less to rounding.
        let tau = s / (1 + c)
        let h = t * apq
        a[p * n + p] -= h
        a[q * n + q] += h
        a[p * n + q] = 0
        a[q * n + p] = 0
        // Rows p and q are read contiguously and mirrored into columns p and q.
        for r in 0..<n where r != p && r != q {
            let apr = a[p * n + r], aqr = a[q * n + r]
            let newPR = apr - s * (aqr + tau * apr)
            let newQR = aqr + s * (apr - tau * aqr)
            a[p * n + r] = newPR
            a[r * n + p] = newPR
            a[q * n + r] = newQR
            a[r * n + q] = newQR
        }
        for r in 0..<n {
            let vpr = vt[p * n + r], vqr = vt[q * n + r]
            vt[p * n + r] = vpr - s * (vqr + tau * vpr)
            vt[q * n + r] = vqr + s * (vpr - tau * vqr)
        }
    }
}
