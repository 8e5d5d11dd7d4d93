/// A convolution's weight gradient over a whole batch, `dW = Σᵢ dYᵢ · colsᵢᵀ`, when each image
/// has few output positions (`positions <= GEMM.kc`), computed with exactly the additions of the
/// per-image path it replaces.
///
/// The per-image path runs one `GEMM` per image (`m = O`, `n = K`, depth = the image's
/// positions, one `kc` block since `positions <= GEMM.kc`), accumulating into its group's partial
/// with `beta = 1`, and then sums the groups' partials in group order. Each entry is therefore
/// `total = Σ_groups (Σ_images_of_group acc_i)`, left to right, with `acc_i` the micro-kernel's
/// fused multiply-add chain over the image's positions starting from zero. This kernel forms the
/// same three levels in registers for a 4 x 32 tile of dW (24 accumulators), so the products of
/// all images run in one pass over a packed copy of the columns instead of one shallow product,
/// one `[O, K]` read-modify-write and one `[O, K]` partial per image. Bit for bit the per-image
/// path's result (tested), for any thread count (each entry is computed by one thread).
enum BatchedWeightGradient {
    typealias V = SIMD16<Float>
    /// Rows (output channels) per tile.
    static let mr = 4
    /// Columns (`C * kh * kw` entries) per tile and per packed panel.
    static let nr = 32

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> V { SIMDAccess.load(p) }
    @inline(__always) private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { SIMDAccess.store(v, p) }

    /// Floats of the packed columns of `images` images: `panels(k) * nr * images * positions`.
    static func packedSize(k: Int, positions: Int, images: Int) -> Int { (k + nr - 1) / nr * nr * images * positions }

    /// Packs image `index`'s column matrix `columns` (`[k, positions]`, row-major) into the panels
    /// of a chunk of `images` images: panel `j` holds, for depth `index * positions + p`, the 32
    /// values `columns[j * 32 + q, p]` (zero past `k`).
    static func pack(_ columns: UnsafePointer<Float>, k: Int, positions: Int, index: Int, images: Int,
                     into packed: UnsafeMutablePointer<Float>) {
        let panelSize = images * positions * nr
        var j = 0
        while j * nr < k {
            TransposePack.panel(columns + j * nr * positions, ld: positions, kc: positions, width: Swift.min(nr, k - j * nr),
                                into: packed + j * panelSize + index * positions * nr, nr: nr)
            j += 1
        }
    }

    /// `c [m, k] (+)= Σ over groups of Σ over the group's images i of dy_i [m, positions] · cols_iᵀ`,
    /// with `dy_i` at `dy + i * m * positions` (NCHW output gradient) and the columns of images
    /// `firstImage ..< firstImage + images` packed by `pack`. `groups` are consecutive image ranges
    /// inside that chunk. With `accumulate`, every group is added onto `c`'s current values;
    /// otherwise the first group's sum overwrites `c`.
    static func multiply(m: Int, k: Int, positions: Int, dy: UnsafePointer<Float>, groups: [Range<Int>],
                         firstImage: Int, images: Int, packed: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, accumulate: Bool, threads: Int) {
        guard m > 0, k > 0, !groups.isEmpty else { return }
        let panels = (k + nr - 1) / nr
        let work = m * k * images * positions
        let workers = work >= GEMM.parallelThreshold ? Swift.max(1, Swift.min(threads, 8, panels)) : 1
        let shared = UncheckedSendable((dy: dy, packed: packed, c: c))
        let body: @Sendable (Int) -> Void = { w in
            let (dy, packed, c) = shared.value
            for j in (w * panels / workers)..<((w + 1) * panels / workers) {
                let panel = packed + j * images * positions * nr
                let columns = Swift.min(nr, k - j * nr)
                var o = 0
                while o < m {
                    tile(rows: Swift.min(mr, m - o), columns: columns, dy: dy + o * positions, imageStride: m * positions,
                         positions: positions, panel: panel, groups: groups, firstImage: firstImage,
                         c: c + o * k + j * nr, ldc: k, accumulate: accumulate)
                    o += mr
                }
            }
        }
        if workers == 1 {
            body(0)
        } else {
            WorkerPool.shared.perform(iterations: workers) { body($0) }
        }
    }

    @inline(__always)
    private static func tile(rows: Int, columns: Int, dy: UnsafePointer<Float>, imageStride: Int, positions: Int,
                             panel: UnsafePointer<Float>, groups: [Range<Int>], firstImage: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var t0a = V(), t0b = V(), t1a = V(), t1b = V(), t2a = V(), t2b = V(), t3a = V(), t3b = V()
        let full = rows == mr && columns == nr
        withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { edgeBuffer in
            let edge = edgeBuffer.baseAddress!
            if accumulate {
                if full {
                    t0a = load(c); t0b = load(c + 16); t1a = load(c + ldc); t1b = load(c + ldc + 16)
                    t2a = load(c + 2 * ldc); t2b = load(c + 2 * ldc + 16); t3a = load(c + 3 * ldc); t3b = load(c + 3 * ldc + 16)
                } else {
                    edge.update(repeating: 0, count: mr * nr)
                    for r in 0..<rows { (edge + r * nr).update(from: c + r * ldc, count: columns) }
                    t0a = load(edge); t0b = load(edge + 16); t1a = load(edge + nr); t1b = load(edge + nr + 16)
                    t2a = load(edge + 2 * nr); t2b = load(edge + 2 * nr + 16); t3a = load(edge + 3 * nr); t3b = load(edge + 3 * nr + 16)
                }
            }
            var firstGroup = !accumulate
            for group in groups {
                var g0a = V(), g0b = V(), g1a = V(), g1b = V(), g2a = V(), g2b = V(), g3a = V(), g3b = V()
                var firstOfGroup = true
                for i in group {
                    var c0a = V(), c0b = V(), c1a = V(), c1b = V(), c2a = V(), c2b = V(), c3a = V(), c3b = V()
                    // Rows past `rows` repeat row 0; their sums are discarded.
                    let a0 = dy + i * imageStride
                    let a1 = rows > 1 ? a0 + positions : a0, a2 = rows > 2 ? a0 + 2 * positions : a0
                    let a3 = rows > 3 ? a0 + 3 * positions : a0
                    var pb = panel + (i - firstImage) * positions * nr
                    for p in 0..<positions {
                        let b0 = load(pb), b1 = load(pb + 16)
                        var x = V(repeating: a0[p]); c0a.addProduct(x, b0); c0b.addProduct(x, b1)
                        x = V(repeating: a1[p]); c1a.addProduct(x, b0); c1b.addProduct(x, b1)
                        x = V(repeating: a2[p]); c2a.addProduct(x, b0); c2b.addProduct(x, b1)
                        x = V(repeating: a3[p]); c3a.addProduct(x, b0); c3b.addProduct(x, b1)
                        pb += nr
                    }
                    // GEMM's store of a depth block: `acc` for the group's first image (beta 0),
                    // then `acc + C` (beta 1).
                    if firstOfGroup {
                        (g0a, g0b, g1a, g1b, g2a, g2b, g3a, g3b) = (c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b)
                    } else {
                        g0a = c0a + g0a; g0b = c0b + g0b; g1a = c1a + g1a; g1b = c1b + g1b
                        g2a = c2a + g2a; g2b = c2b + g2b; g3a = c3a + g3a; g3b = c3b + g3b
                    }
                    firstOfGroup = false
                }
                // The partials' reduction: the first group's sum, then `total += partial`.
                if firstGroup {
                    (t0a, t0b, t1a, t1b, t2a, t2b, t3a, t3b) = (g0a, g0b, g1a, g1b, g2a, g2b, g3a, g3b)
                } else {
                    t0a = t0a + g0a; t0b = t0b + g0b; t1a = t1a + g1a; t1b = t1b + g1b
                    t2a = t2a + g2a; t2b = t2b + g2b; t3a = t3a + g3a; t3b = t3b + g3b
                }
                firstGroup = false
            }
            if full {
                store(t0a, c); store(t0b, c + 16); store(t1a, c + ldc); store(t1b, c + ldc + 16)
                store(t2a, c + 2 * ldc); store(t2b, c + 2 * ldc + 16); store(t3a, c + 3 * ldc); store(t3b, c + 3 * ldc + 16)
                return
            }
            store(t0a, edge); store(t0b, edge + 16); store(t1a, edge + nr); store(t1b, edge + nr + 16)
            store(t2a, edge + 2 * nr); store(t2b, edge + 2 * nr + 16); store(t3a, edge + 3 * nr); store(t3b, edge + 3 * nr + 16)
            for r in 0..<rows { (c + r * ldc).update(from: edge + r * nr, count: columns) }
        }
    }
}
