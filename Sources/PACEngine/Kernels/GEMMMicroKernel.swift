/// The register-tiled inner kernel of `GEMM`: a 6 x 32 tile of C held in twelve
/// `SIMD16<Float>` accumulators (zmm registers with AVX-512, ymm pairs with AVX2), updated with
/// one fused multiply-add per accumulator per depth step.
enum GEMMMicroKernel {
    static let mr = 6
    static let nr = 32

    typealias V = SIMD16<Float>

    /// Whether the micro-kernels run 6 x 16 tiles instead of their 6 x 32 and 12 x 32 ones.
    /// The full tiles' 12 and 24 `SIMD16` accumulators fit only in AVX-512's 32 registers of 512
    /// bits; with AVX2's sixteen of 256 bits (or NEON's 128-bit ones) they spill to the stack
    /// (the built-in GEMM compiled for Haswell ran at 0.53-0.73x OpenBLAS's AVX2 kernels on the
    /// Emerald Rapids VM). A 6 x 16 tile holds its accumulators in 12 AVX2 registers. Every
    /// entry is the same chain of multiply-adds in either shape, so the bits do not change.
    /// Decided from the CPU the process runs on, which `-target-cpu native` compiled for.
    nonisolated(unsafe) static var halfTiles: Bool = !CPUModel.current.flags.contains("avx512f")

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> V { SIMDAccess.load(p) }
    @inline(__always) private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { SIMDAccess.store(v, p) }

    /// `C[0..<rows, 0..<columns] = alpha * A * B + beta * C` (C not read when beta is 0) for an
    /// A panel with entry `(r, p)` at `a[r * rowStrideA + p * depthStrideA]` and a B panel whose
    /// 32 values for depth `p` start at `b[p * depthStrideB]`. Rows past `rows` repeat row 0 (their
    /// results are discarded), so an unpacked A is never read out of bounds.
    @inline(__always)
    static func run(
        kc: Int, a: UnsafePointer<Float>, rowStrideA: Int, depthStrideA: Int,
        b: UnsafePointer<Float>, depthStrideB: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int,
        alpha: Float, beta: Float, edge: UnsafeMutablePointer<Float>
    ) {
        // An edge panel of at most 16 columns runs the half-width (6 x 16) tile: same code with
        // the second vector column folded away, halving the padding waste for widths like 100.
        if halfTiles && columns > 16 {
            // Without AVX-512, two 6 x 16 tiles (see `halfTiles`).
            tile(wide: false, kc: kc, a: a, rowStrideA: rowStrideA, depthStrideA: depthStrideA, b: b, depthStrideB: depthStrideB,
                 c: c, ldc: ldc, rows: rows, columns: 16, alpha: alpha, beta: beta, edge: edge)
            tile(wide: false, kc: kc, a: a, rowStrideA: rowStrideA, depthStrideA: depthStrideA, b: b + 16, depthStrideB: depthStrideB,
                 c: c + 16, ldc: ldc, rows: rows, columns: columns - 16, alpha: alpha, beta: beta, edge: edge)
        } else if columns <= 16 {
            tile(wide: false, kc: kc, a: a, rowStrideA: rowStrideA, depthStrideA: depthStrideA, b: b, depthStrideB: depthStrideB,
                 c: c, ldc: ldc, rows: rows, columns: columns, alpha: alpha, beta: beta, edge: edge)
        } else {
            tile(wide: true, kc: kc, a: a, rowStrideA: rowStrideA, depthStrideA: depthStrideA, b: b, depthStrideB: depthStrideB,
                 c: c, ldc: ldc, rows: rows, columns: columns, alpha: alpha, beta: beta, edge: edge)
        }
    }

    @inline(__always)
    private static func tile(
        wide: Bool, kc: Int, a: UnsafePointer<Float>, rowStrideA: Int, depthStrideA: Int,
        b: UnsafePointer<Float>, depthStrideB: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int,
        alpha: Float, beta: Float, edge: UnsafeMutablePointer<Float>
    ) {
        var c0a = V(), c0b = V(), c1a = V(), c1b = V(), c2a = V(), c2b = V()
        var c3a = V(), c3b = V(), c4a = V(), c4b = V(), c5a = V(), c5b = V()
        let a0 = a, a1 = rows > 1 ? a + rowStrideA : a, a2 = rows > 2 ? a + 2 * rowStrideA : a
        let a3 = rows > 3 ? a + 3 * rowStrideA : a, a4 = rows > 4 ? a + 4 * rowStrideA : a
        let a5 = rows > 5 ? a + 5 * rowStrideA : a
        var pa = 0
        var pb = b
        if wide {
            for _ in 0..<kc {
                let b0 = load(pb), b1 = load(pb + 16)
                var x = V(repeating: a0[pa]); c0a.addProduct(x, b0); c0b.addProduct(x, b1)
                x = V(repeating: a1[pa]); c1a.addProduct(x, b0); c1b.addProduct(x, b1)
                x = V(repeating: a2[pa]); c2a.addProduct(x, b0); c2b.addProduct(x, b1)
                x = V(repeating: a3[pa]); c3a.addProduct(x, b0); c3b.addProduct(x, b1)
                x = V(repeating: a4[pa]); c4a.addProduct(x, b0); c4b.addProduct(x, b1)
                x = V(repeating: a5[pa]); c5a.addProduct(x, b0); c5b.addProduct(x, b1)
                pa += depthStrideA
                pb += depthStrideB
            }
        } else {
            for _ in 0..<kc {
                let b0 = load(pb)
                c0a.addProduct(V(repeating: a0[pa]), b0)
                c1a.addProduct(V(repeating: a1[pa]), b0)
                c2a.addProduct(V(repeating: a2[pa]), b0)
                c3a.addProduct(V(repeating: a3[pa]), b0)
                c4a.addProduct(V(repeating: a4[pa]), b0)
                c5a.addProduct(V(repeating: a5[pa]), b0)
                pa += depthStrideA
                pb += depthStrideB
            }
        }
        let va = V(repeating: alpha), vb = V(repeating: beta)
        @inline(__always) func put(_ lo: V, _ hi: V, _ p: UnsafeMutablePointer<Float>) {
            if beta == 0 {
                store(lo * va, p); store(hi * va, p + 16)
            } else {
                store(lo * va + vb * load(p), p); store(hi * va + vb * load(p + 16), p + 16)
            }
        }
        if rows == mr && columns == nr {
            put(c0a, c0b, c); put(c1a, c1b, c + ldc); put(c2a, c2b, c + 2 * ldc)
            put(c3a, c3b, c + 3 * ldc); put(c4a, c4b, c + 4 * ldc); put(c5a, c5b, c + 5 * ldc)
            return
        }
        let ld = nr
        store(c0a, edge); store(c0b, edge + 16)
        store(c1a, edge + ld); store(c1b, edge + ld + 16)
        store(c2a, edge + 2 * ld); store(c2b, edge + 2 * ld + 16)
        store(c3a, edge + 3 * ld); store(c3b, edge + 3 * ld + 16)
        store(c4a, edge + 4 * ld); store(c4b, edge + 4 * ld + 16)
        store(c5a, edge + 5 * ld); store(c5b, edge + 5 * ld + 16)
        writeBack(edge, rows: rows, columns: columns, c: c, ldc: ldc, alpha: alpha, beta: beta)
    }

    /// `C = alpha * T + beta * C` (C not read when beta is 0) for the first `rows x columns` of a
    /// tile `T` held in `edge` as rows of `nr` floats: the write of every tile that is not a full
    /// 6 x 32 one, shared with `GEMMPackedMicroKernel`.
    @inline(__always)
    static func writeBack(_ edge: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                          c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
        if columns == nr {
            // Full-width rows (e.g. the last 4 of 16 channels): vector stores.
            let va = V(repeating: alpha), vb = V(repeating: beta)
            for r in 0..<rows {
                let lo = load(edge + r * nr), hi = load(edge + r * nr + 16), out = c + r * ldc
                if beta == 0 {
                    store(lo * va, out); store(hi * va, out + 16)
                } else {
                    store(lo * va + vb * load(out), out); store(hi * va + vb * load(out + 16), out + 16)
                }
            }
            return
        }
        for r in 0..<rows {
            let t = edge + r * nr, row = c + r * ldc
            if beta == 0 {
                for j in 0..<columns { row[j] = alpha * t[j] }
            } else {
                for j in 0..<columns { row[j] = alpha * t[j] + beta * row[j] }
            }
        }
    }
}
