import Foundation
import PACEngine
import Testing

/// Row-major `[Double]` matrices for the eigensolver and spectral-penalty tests.
enum DenseMatrix {
    /// `op(A) * B` for an `m x k` `op(A)` (`a` is stored `k x m` when `transposeA`) and a `k x n` `B`.
    static func product(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, transposeA: Bool = false) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for l in 0..<k {
                let ail = transposeA ? a[l * m + i] : a[i * k + l]
                for j in 0..<n { c[i * n + j] += ail * b[l * n + j] }
            }
        }
        return c
    }

    /// A symmetric matrix with entries uniform in [-1, 1).
    static func randomSymmetric(order n: Int, rng: inout RandomGenerator) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                let x = 2 * rng.uniformDouble() - 1
                a[i * n + j] = x
                a[j * n + i] = x
            }
        }
        return a
    }

    /// A random orthogonal matrix: a product of `n` Householder reflections `I - 2 w wᵀ / wᵀw`.
    static func randomOrthogonal(order n: Int, rng: inout RandomGenerator) -> [Double] {
        var q = [Double](repeating: 0, count: n * n)
        for i in 0..<n { q[i * n + i] = 1 }
        for _ in 0..<n {
            let w = (0..<n).map { _ in rng.normal() }
            let norm2 = w.reduce(0) { $0 + $1 * $1 }
            // Q ← Q (I - 2 w wᵀ / wᵀw)
            for r in 0..<n {
                var dot = 0.0
                for c in 0..<n { dot += q[r * n + c] * w[c] }
                for c in 0..<n { q[r * n + c] -= 2 * dot / norm2 * w[c] }
            }
        }
        return q
    }

    /// `Q diag(spectrum) Qᵀ` for a random orthogonal `Q`: a symmetric matrix with known eigenvalues.
    static func withSpectrum(_ spectrum: [Double], rng: inout RandomGenerator) -> [Double] {
        let n = spectrum.count
        let q = randomOrthogonal(order: n, rng: &rng)
        var scaled = q
        for r in 0..<n { for c in 0..<n { scaled[r * n + c] *= spectrum[c] } }
        return product(scaled, transpose(q, rows: n, columns: n), m: n, k: n, n: n)
    }

    /// The transpose of a `rows x columns` matrix.
    static func transpose(_ a: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<(rows * columns)).map { a[($0 % rows) * columns + $0 / rows] }
    }

    /// The Frobenius norm.
    static func frobeniusNorm(_ a: [Double]) -> Double { a.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}

/// Checks everything a decomposition of `a` promises: ascending eigenvalues, `A v = λ v` to
/// `tolerance * ‖A‖_F`, `VᵀV = I`, and `Σλ = trace(A)`.
func expectValidDecomposition(_ e: SymmetricEigen, of a: [Double], tolerance: Double = 1e-10,
                              sourceLocation: SourceLocation = #_sourceLocation) {
    let n = e.order
    #expect(a.count == n * n && e.eigenvalues.count == n && e.eigenvectors.count == n * n, sourceLocation: sourceLocation)
    #expect(zip(e.eigenvalues, e.eigenvalues.dropFirst()).allSatisfy { $0 <= $1 }, "not ascending: \(e.eigenvalues)",
            sourceLocation: sourceLocation)
    let norm = Swift.max(DenseMatrix.frobeniusNorm(a), .leastNormalMagnitude)

    let av = DenseMatrix.product(a, e.eigenvectors, m: n, k: n, n: n)
    var worstResidual = 0.0
    for j in 0..<n {
        var residual2 = 0.0
        for i in 0..<n {
            let r = av[i * n + j] - e.eigenvalues[j] * e.eigenvectors[i * n + j]
            residual2 += r * r
        }
        worstResidual = Swift.max(worstResidual, residual2.squareRoot() / norm)
    }
    #expect(worstResidual <= tolerance, "‖Av - λv‖ / ‖A‖ = \(worstResidual)", sourceLocation: sourceLocation)

    let vtv = DenseMatrix.product(e.eigenvectors, e.eigenvectors, m: n, k: n, n: n, transposeA: true)
    var worstOrthogonality = 0.0
    for i in 0..<n {
        for j in 0..<n { worstOrthogonality = Swift.max(worstOrthogonality, Swift.abs(vtv[i * n + j] - (i == j ? 1 : 0))) }
    }
    #expect(worstOrthogonality <= 1e-12, "max |VᵀV - I| = \(worstOrthogonality)", sourceLocation: sourceLocation)

    let trace = (0..<n).reduce(0.0) { $0 + a[$1 * n + $1] }
    let total = e.eigenvalues.reduce(0, +)
    #expect(Swift.abs(total - trace) <= tolerance * norm, "Σλ = \(total), trace = \(trace)", sourceLocation: sourceLocation)
}

/// `|⟨x, y⟩| / (‖x‖ ‖y‖)`: 1 when the vectors are parallel, whatever their signs.
private func alignment(_ x: [Double], _ y: [Double]) -> Double {
    let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    return Swift.abs(dot) / (DenseMatrix.frobeniusNorm(x) * DenseMatrix.frobeniusNorm(y))
}

@Suite("Symmetric eigendecomposition (cyclic Jacobi)")
struct SymmetricEigenTests {
    @Test func diagonalMatrixNeedsNoRotation() {
        let diagonal: [Double] = [3, -1, 2, 0, -1]
        let n = diagonal.count
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { a[i * n + i] = diagonal[i] }
        let e = SymmetricEigen(symmetric: a, order: n)
        #expect(e.eigenvalues == [-1, -1, 0, 2, 3])
        #expect(e.sweeps == 0)
        // The eigenvectors are the unit vectors, permuted (orthonormality is checked below).
        #expect(e.eigenvectors.allSatisfy { $0 == 0 || $0 == 1 })
        expectValidDecomposition(e, of: a)
    }

    @Test func knownTwoByTwo() {
        let a: [Double] = [2, 1,
                           1, 2]
        let e = SymmetricEigen(symmetric: a, order: 2)
        #expect(Swift.abs(e.eigenvalues[0] - 1) <= 1e-15 && Swift.abs(e.eigenvalues[1] - 3) <= 1e-15, "\(e.eigenvalues)")
        #expect(Swift.abs(alignment(e.eigenvector(0), [1, -1]) - 1) <= 1e-15)
        #expect(Swift.abs(alignment(e.eigenvector(1), [1, 1]) - 1) <= 1e-15)
        expectValidDecomposition(e, of: a)
    }

    @Test func knownThreeByThree() {
        // The 1-D discrete Laplacian: eigenvalues 2 - 2cos(kπ/4), eigenvectors sin(jkπ/4).
        let a: [Double] = [2, -1, 0,
                           -1, 2, -1,
                           0, -1, 2]
        let e = SymmetricEigen(symmetric: a, order: 3)
        let root2 = 2.0.squareRoot()
        let expected = [2 - root2, 2, 2 + root2]
        for (value, exact) in zip(e.eigenvalues, expected) { #expect(Swift.abs(value - exact) <= 1e-14, "\(e.eigenvalues)") }
        let vectors: [[Double]] = [[1, root2, 1], [1, 0, -1], [1, -root2, 1]]
        for (j, vector) in vectors.enumerated() { #expect(Swift.abs(alignment(e.eigenvector(j), vector) - 1) <= 1e-14) }
        expectValidDecomposition(e, of: a)
    }

    @Test("random symmetric matrices", arguments: [1, 2, 5, 40, 100])
    func randomSymmetric(order n: Int) {
        var rng = RandomGenerator(seed: 11, stream: "symmetric-\(n)")
        let a = DenseMatrix.randomSymmetric(order: n, rng: &rng)
        let e = SymmetricEigen(symmetric: a, order: n)
        expectValidDecomposition(e, of: a)
        #expect(e.sweeps <= 20)
    }

    @Test func knownSpectrumWithRepeatsAndClusters() {
        let spectrum: [Double] = [-3, -3, 0, 1e-9, 2, 2, 2, 2 + 1e-12, 5]
        var rng = RandomGenerator(seed: 12)
        let a = DenseMatrix.withSpectrum(spectrum.shuffled(using: &rng), rng: &rng)
        let e = SymmetricEigen(symmetric: a, order: spectrum.count)
        for (value, exact) in zip(e.eigenvalues, spectrum) {
            #expect(Swift.abs(value - exact) <= 1e-13 * 5, "\(e.eigenvalues) vs \(spectrum)")
        }
        expectValidDecomposition(e, of: a)
    }

    @Test func identityGivesOrthonormalVectors() {
        let n = 6
        let a = (0..<(n * n)).map { $0 % (n + 1) == 0 ? 1.0 : 0 }
        let e = SymmetricEigen(symmetric: a, order: n)
        #expect(e.eigenvalues == Array(repeating: 1, count: n))
        expectValidDecomposition(e, of: a)
    }

    @Test func rankOneMatrix() {
        // x xᵀ: eigenvalue ‖x‖² along x and a 6-fold 0 whose eigenvectors must still be orthonormal.
        let x: [Double] = [1, -2, 0.5, 3, 0, 1.5, -1]
        let n = x.count
        let a = DenseMatrix.product(x, x, m: n, k: 1, n: n)
        let e = SymmetricEigen(symmetric: a, order: n)
        let norm2 = x.reduce(0) { $0 + $1 * $1 }
        #expect(Swift.abs(e.eigenvalues[n - 1] - norm2) <= 1e-13 * norm2)
        #expect(e.eigenvalues.dropLast().allSatisfy { Swift.abs($0) <= 1e-13 * norm2 }, "\(e.eigenvalues)")
        #expect(Swift.abs(alignment(e.eigenvector(n - 1), x) - 1) <= 1e-13)
        expectValidDecomposition(e, of: a)
    }

    @Test func emptyAndZeroMatrices() {
        let empty = SymmetricEigen(symmetric: [], order: 0)
        #expect(empty.eigenvalues.isEmpty && empty.eigenvectors.isEmpty)
        let zero = SymmetricEigen(symmetric: Array(repeating: 0, count: 9), order: 3)
        #expect(zero.eigenvalues == [0, 0, 0])
        expectValidDecomposition(zero, of: Array(repeating: 0, count: 9))
    }

    @Test("extreme magnitudes neither overflow nor underflow", arguments: [1e-300, 1e-150, 1e150, 1e300])
    func extremeMagnitudes(scale: Double) {
        var rng = RandomGenerator(seed: 13)
        let a = DenseMatrix.randomSymmetric(order: 6, rng: &rng)
        let reference = SymmetricEigen(symmetric: a, order: 6).eigenvalues
        let scaled = SymmetricEigen(symmetric: a.map { $0 * scale }, order: 6)
        for (value, base) in zip(scaled.eigenvalues, reference) {
            #expect(Swift.abs(value / scale - base) <= 1e-12, "\(scaled.eigenvalues) / \(scale) vs \(reference)")
        }
    }

    @Test func roundingLevelAsymmetryIsAccepted() {
        var a: [Double] = [4, 1, 1, 3]
        a[1] = a[1].nextUp
        let e = SymmetricEigen(symmetric: a, order: 2)
        expectValidDecomposition(e, of: [4, 1, 1, 3])
    }

    @Test func badInputStopsWithAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = SymmetricEigen(symmetric: [1, 2, 3], order: 2) }
        await #expect(processExitsWith: .failure) { _ = SymmetricEigen(symmetric: [1, .nan, .nan, 1], order: 2) }
        await #expect(processExitsWith: .failure) { _ = SymmetricEigen(symmetric: [1, .infinity, .infinity, 1], order: 2) }
        await #expect(processExitsWith: .failure) { _ = SymmetricEigen(symmetric: [1, 2, 0, 1], order: 2) }
    }
}
