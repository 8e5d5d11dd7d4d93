@testable import PACEngine
import Testing

/// One GEMM problem: `C = alpha * op(A) * op(B) + beta * C` with optional leading-dimension padding.
struct GEMMCase: Sendable, CustomTestStringConvertible {
    var m: Int, n: Int, k: Int
    var transposeA = false, transposeB = false
    var alpha: Float = 1, beta: Float = 0
    /// Extra columns beyond the stored width (so `ld > width`); filled with NaN in A and B.
    var padA = 0, padB = 0, padC = 0

    var testDescription: String {
        "\(m)x\(n)x\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") alpha=\(alpha) beta=\(beta)"
            + (padA + padB + padC > 0 ? " pad=\(padA),\(padB),\(padC)" : "")
    }

    /// Stored shapes (rows x leading dimension).
    var rowsA: Int { transposeA ? k : m }
    var widthA: Int { transposeA ? m : k }
    var rowsB: Int { transposeB ? n : k }
    var widthB: Int { transposeB ? k : n }
    var lda: Int { widthA + padA }
    var ldb: Int { widthB + padB }
    var ldc: Int { n + padC }

    struct Buffers {
        var a: [Float], b: [Float], c: [Float]
    }

    /// Random operands; padding of A and B is NaN so reading it would poison the result. With
    /// `beta == 0`, all of C is NaN (it must not be read); otherwise C is random with NaN padding.
    func makeBuffers(seed: UInt64) -> Buffers {
        var rng = RandomGenerator(seed: seed, stream: testDescription)
        func matrix(rows: Int, width: Int, ld: Int) -> [Float] {
            (0..<(rows * ld)).map { $0 % ld < width ? rng.uniform(-1, 1) : .nan }
        }
        let a = matrix(rows: rowsA, width: widthA, ld: lda)
        let b = matrix(rows: rowsB, width: widthB, ld: ldb)
        let c = beta == 0 ? Array(repeating: Float.nan, count: m * ldc) : matrix(rows: m, width: n, ld: ldc)
        return Buffers(a: a, b: b, c: c)
    }

    /// Runs the product; the built-in kernel unless another backend is asked for, so thread-count
    /// tests exercise our own parallel split even where a system BLAS is installed.
    func run(_ buffers: Buffers, threads: Int, backend: GEMMBackend = .builtin) -> [Float] {
        var c = buffers.c
        buffers.a.withUnsafeBufferPointer { a in
            buffers.b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { cp in
                    GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                  alpha: alpha, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb,
                                  beta: beta, c: cp.baseAddress!, ldc: ldc, threads: threads, backend: backend)
                }
            }
        }
        return c
    }

    /// The naive reference in Double, plus `alpha * sum |a||b| + |beta c|` per element for error bounds.
    func reference(_ buffers: Buffers) -> (values: [Double], magnitudes: [Double]) {
        let (m, n, k, lda, ldb, ldc) = (m, n, k, lda, ldb, ldc)
        // op(A) and op(B) as dense row-major Double matrices (m x k and k x n).
        var opA = Array(repeating: 0.0, count: m * k), opB = Array(repeating: 0.0, count: k * n)
        for i in 0..<m { for p in 0..<k { opA[i * k + p] = Double(transposeA ? buffers.a[p * lda + i] : buffers.a[i * lda + p]) } }
        for p in 0..<k { for j in 0..<n { opB[p * n + j] = Double(transposeB ? buffers.b[j * ldb + p] : buffers.b[p * ldb + j]) } }
        var values = Array(repeating: 0.0, count: m * n), magnitudes = values
        opA.withUnsafeBufferPointer { a in
            opB.withUnsafeBufferPointer { b in
                for i in 0..<m {
                    for j in 0..<n {
                        var total = 0.0, magnitude = 0.0
                        for p in 0..<k {
                            let product = a[i * k + p] * b[p * n + j]
                            total += product
                            magnitude += abs(product)
                        }
                        values[i * n + j] = total
                        magnitudes[i * n + j] = magnitude
                    }
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var value = Double(alpha) * values[i * n + j]
                var magnitude = abs(Double(alpha)) * magnitudes[i * n + j]
                if beta != 0 {
                    let old = Double(buffers.c[i * ldc + j])
                    value += Double(beta) * old
                    magnitude += abs(Double(beta) * old)
                }
                values[i * n + j] = value
                magnitudes[i * n + j] = magnitude
            }
        }
        return (values, magnitudes)
    }

    /// Checks a result against the reference and that C's padding columns were left alone.
    func verify(_ result: [Float], _ buffers: Buffers, sourceLocation: SourceLocation = #_sourceLocation) {
        let (values, magnitudes) = reference(buffers)
        // Float accumulation of k products: error grows at most ~k * ulp of the magnitude sum.
        let unit = Double(Float.ulpOfOne)
        var bad = 0, firstBad = ""
        for i in 0..<m {
            for j in 0..<n {
                let got = Double(result[i * ldc + j]), want = values[i * n + j]
                let bound = unit * Double(k + 2) * magnitudes[i * n + j] + 1e-30
                if !(abs(got - want) <= bound) {
                    if bad == 0 { firstBad = "C[\(i), \(j)] = \(got), expected \(want) (bound \(bound))" }
                    bad += 1
                }
            }
            for j in n..<ldc where result[i * ldc + j].bitPattern != buffers.c[i * ldc + j].bitPattern {
                if bad == 0 { firstBad = "padding C[\(i), \(j)] was written" }
                bad += 1
            }
        }
        #expect(bad == 0, "\(testDescription): \(bad) wrong entries, first: \(firstBad)", sourceLocation: sourceLocation)
    }
}

@Suite("GEMM against a naive double-precision reference")
struct GEMMTests {
    static let sizes: [(Int, Int, Int)] = [
        (1, 1, 1), (7, 5, 3), (13, 37, 65), (100, 1, 100), (1, 100, 100), (130, 70, 300), (257, 129, 513),
    ]

    static let transpositionCases: [GEMMCase] = sizes.flatMap { m, n, k in
        [(false, false), (true, false), (false, true), (true, true)].map { ta, tb in
            GEMMCase(m: m, n: n, k: k, transposeA: ta, transposeB: tb)
        }
    }

    @Test("every transposition variant at awkward sizes (C prefilled with NaN, beta = 0)", arguments: transpositionCases)
    func transpositions(_ problem: GEMMCase) {
        let buffers = problem.makeBuffers(seed: 1)
        problem.verify(problem.run(buffers, threads: 1), buffers)
    }

    static let scalingCases: [GEMMCase] = [
        GEMMCase(m: 9, n: 40, k: 17, alpha: 2.5, beta: 0),
        GEMMCase(m: 9, n: 40, k: 17, alpha: 1, beta: 1),
        GEMMCase(m: 9, n: 40, k: 17, transposeA: true, alpha: -0.5, beta: 0.75),
        GEMMCase(m: 31, n: 33, k: 300, transposeB: true, alpha: 1.5, beta: -2),
        GEMMCase(m: 13, n: 70, k: 600, transposeA: true, transposeB: true, alpha: 0.25, beta: 0.5),
        GEMMCase(m: 6, n: 32, k: 5, alpha: 3, beta: 2),  // exactly one full micro-tile
        GEMMCase(m: 12, n: 64, k: 260, alpha: 1, beta: 0.5),  // full tiles and a second depth block
        GEMMCase(m: 16, n: 64, k: 144, alpha: 1, beta: 1),  // a short last tile of full-width rows
    ]

    @Test("alpha and beta", arguments: scalingCases)
    func scaling(_ problem: GEMMCase) {
        let buffers = problem.makeBuffers(seed: 2)
        problem.verify(problem.run(buffers, threads: 1), buffers)
    }

    static let leadingDimensionCases: [GEMMCase] = [
        GEMMCase(m: 7, n: 5, k: 3, padA: 2, padB: 3, padC: 4),
        GEMMCase(m: 13, n: 37, k: 65, transposeA: true, padA: 5, padB: 1, padC: 3),
        GEMMCase(m: 13, n: 37, k: 65, transposeB: true, beta: 0.5, padA: 1, padB: 7, padC: 2),
        GEMMCase(m: 40, n: 35, k: 270, transposeA: true, transposeB: true, alpha: 2, beta: 1, padA: 3, padB: 3, padC: 5),
        // ldb = 1024: transposed packing switches to 8-row tiles at 4 KB strides.
        GEMMCase(m: 7, n: 45, k: 1000, transposeB: true, padB: 24),
        GEMMCase(m: 16, n: 144, k: 1024, transposeB: true),
    ]

    @Test("leading dimensions larger than the width (NaN padding never read nor written)", arguments: leadingDimensionCases)
    func leadingDimensions(_ problem: GEMMCase) {
        let buffers = problem.makeBuffers(seed: 3)
        problem.verify(problem.run(buffers, threads: 1), buffers)
    }

    /// Every backend (a system BLAS when one is installed, otherwise the built-in fallback) meets
    /// the same contract, including not reading C when beta is 0 and honoring leading dimensions.
    @Test(arguments: GEMMBackend.allCases, [
        GEMMCase(m: 13, n: 37, k: 65, transposeA: true),
        GEMMCase(m: 40, n: 35, k: 270, transposeA: true, transposeB: true, alpha: 2, beta: 1, padA: 3, padB: 3, padC: 5),
        GEMMCase(m: 257, n: 129, k: 513, transposeB: true, padC: 2),  // above the BLAS threshold
    ])
    func everyBackendMatchesTheReference(backend: GEMMBackend, problem: GEMMCase) {
        let buffers = problem.makeBuffers(seed: 6)
        problem.verify(problem.run(buffers, threads: 2, backend: backend), buffers)
    }

    @Test func betaZeroOverwritesNaNAndInfinity() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [1, 0, 0, 1]
        var c: [Float] = [.nan, .infinity, -.infinity, .nan]
        GEMM.multiply(transposeA: false, transposeB: false, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2,
                      beta: 0, c: &c, ldc: 2, threads: 1)
        #expect(c == [1, 2, 3, 4])
    }

    @Test func degenerateDepthAndAlpha() {
        let a: [Float] = [.nan, .nan], b: [Float] = [.nan, .nan]
        // k == 0: C = beta * C.
        var c: [Float] = [1, 2, 3, 4]
        GEMM.multiply(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2,
                      beta: 0.5, c: &c, ldc: 2, threads: 1)
        #expect(c == [0.5, 1, 1.5, 2])
        // k == 0 and beta == 0: C is zeroed, not read.
        var d: [Float] = [.nan, .nan, .nan, .nan]
        GEMM.multiply(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2,
                      c: &d, ldc: 2, threads: 1)
        #expect(d == [0, 0, 0, 0])
        // alpha == 0 neither reads A nor B.
        var e: [Float] = [1, 2, 3, 4]
        GEMM.multiply(transposeA: false, transposeB: false, m: 2, n: 2, k: 1, alpha: 0, a: a, lda: 1, b: b, ldb: 2,
                      beta: 2, c: &e, ldc: 2, threads: 1)
        #expect(e == [2, 4, 6, 8])
    }

    /// Above the parallel threshold (m * n * k >= 1 << 22) the work is split over threads;
    /// every element is still computed in one fixed order, so results must be bit-identical.
    @Test(arguments: [
        GEMMCase(m: 200, n: 200, k: 200),  // splits columns (n >= m)
        GEMMCase(m: 300, n: 100, k: 160, transposeA: true, alpha: 1.5, beta: 0.5),  // splits rows
        GEMMCase(m: 150, n: 190, k: 150, transposeA: true, transposeB: true, padC: 3),
        // Enough rows for the threads to share one packed B and claim blocks of rows: depth over
        // three `kc` blocks, a partial last panel, columns over one `nc` block.
        GEMMCase(m: 401, n: 77, k: 530, transposeB: true, alpha: 2, beta: 0.5),
        GEMMCase(m: 390, n: 1100, k: 64, transposeA: true, padC: 2),
    ])
    func threadCountDoesNotChangeBits(_ problem: GEMMCase) {
        #expect(problem.m * problem.n * problem.k >= 1 << 22)
        let buffers = problem.makeBuffers(seed: 4)
        let one = problem.run(buffers, threads: 1)
        let two = problem.run(buffers, threads: 2)
        let three = problem.run(buffers, threads: 3)
        #expect(one.map(\.bitPattern) == two.map(\.bitPattern))
        #expect(one.map(\.bitPattern) == three.map(\.bitPattern))
        problem.verify(two, buffers)
    }

    /// Large operands are packed and multiplied by the 12-row kernel over L2-sized blocks of B;
    /// slices of few rows are read in place by the 6-row kernel. Both add the same products in
    /// the same order, so every slice must match the whole product bit for bit.
    @Test(arguments: [false, true])
    func packedAndInPlaceKernelsAgreeBitForBit(transposeA: Bool) {
        let m = 245, n = GEMM.nc + 37, k = 300
        #expect(m * k > GEMM.directLimit)
        var rng = RandomGenerator(seed: 6)
        let a = rng.uniformTensor(shape: [m * k], low: -1, high: 1).scalars
        let b = rng.uniformTensor(shape: [k * n], low: -1, high: 1).scalars
        let lda = transposeA ? m : k
        var whole = [Float](repeating: .nan, count: m * n)
        GEMM.multiply(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: n,
                      c: &whole, ldc: n, threads: 2, backend: .builtin)
        let sliceRows = GEMM.directLimit / k
        var sliced = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { a in
            sliced.withUnsafeMutableBufferPointer { c in
                for row in stride(from: 0, to: m, by: sliceRows) {
                    let rows = min(sliceRows, m - row)
                    GEMM.multiply(transposeA: transposeA, transposeB: false, m: rows, n: n, k: k,
                                  a: a.baseAddress! + (transposeA ? row : row * k), lda: lda, b: b, ldb: n,
                                  c: c.baseAddress! + row * n, ldc: n, threads: 1, backend: .builtin)
                }
            }
        }
        #expect(whole.map(\.bitPattern) == sliced.map(\.bitPattern))
    }

    @Test func tensorMatmulUsesTheRightShapes() {
        var rng = RandomGenerator(seed: 5)
        let a = rng.uniformTensor(shape: [5, 3], low: -1, high: 1)
        let b = rng.uniformTensor(shape: [4, 3], low: -1, high: 1)
        let c = a.matmul(b, transposeOther: true)
        #expect(c.shape == [5, 4])
        for i in 0..<5 {
            for j in 0..<4 {
                let expected = (0..<3).reduce(0.0) { $0 + Double(a[i, $1]) * Double(b[j, $1]) }
                #expect(abs(Double(c[i, j]) - expected) < 1e-6)
            }
        }
        #expect(a.matmul(a, transposeSelf: true).shape == [3, 3])
        #expect(b.matmul(a, transposeOther: true).shape == [4, 5])
    }
}
