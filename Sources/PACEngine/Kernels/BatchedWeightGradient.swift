/// A convolution's weight gradient over a whole batch, `dW = Σᵢ dYᵢ · colsᵢᵀ`, when each image
/// has very few output positions (below `Convolution.transposedWeightGradientPositions`, e.g. a
/// ResNet's 2 x 2 last stage), computed with exactly the additions of the per-image path it
/// replaces.
///
/// The per-image path runs one `GEMM` per image (`m = O`, `n = K`, depth = the image's
/// positions, one `kc` block), accumulating into its group's partial with `beta = 1`, and then
/// sums the groups' partials in group order. Each entry is therefore
/// `total = Σ_groups (Σ_images_of_group acc_i)`, left to right, with `acc_i` the micro-kernel's
/// fused multiply-add chain over the image's positions starting from zero. This kernel forms the
/// same three levels for a 6 x 32 tile of dW (see `tile`), so the products of all images run in
/// one pass over a packed copy of the columns instead of one shallow product, one `[O, K]`
/// read-modify-write and one `[O, K]` partial per image. Bit for bit the per-image path's result
/// (tested), for any thread count (each entry is computed by one thread). Images with more
/// positions go to `TransposedWeightGradient`, which stores the tile once per image.
enum BatchedWeightGradient {
    typealias V = SIMD16<Float>
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
        // Threads claim the column panels one at a time.
        WorkerPool.shared.perform(workers: workers, units: panels) { _, units in
            let (dy, packed, c) = shared.value
            for j in units {
                let panel = packed + j * images * positions * nr
                let columns = Swift.min(nr, k - j * nr)
                var o = 0
                while o < m {
                    tile(rows: Swift.min(Tile.rows, m - o), columns: columns, dy: dy + o * positions, imageStride: m * positions,
                         positions: positions, panel: panel, groups: groups, firstImage: firstImage,
                         c: c + o * k + j * nr, ldc: k, accumulate: accumulate)
                    o += Tile.rows
                }
            }
        }
    }

    /// One `rows x columns` tile of dW over the images of `groups`. A group's sum is formed in registers (`acc_first`, then `acc_i + sum`) and added onto the
    /// total (`total + sum`; the first group's sum is the total unless accumulating onto `c`).
    /// With one image per group (batches up to 32) the total stays in registers across the
    /// images, so an image of 2 x 2 positions costs one vector add per accumulator, not a load and
    /// a store of the tile.
    @inline(__always)
    private static func tile(rows: Int, columns: Int, dy: UnsafePointer<Float>, imageStride: Int, positions: Int,
                             panel: UnsafePointer<Float>, groups: [Range<Int>], firstImage: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let full = rows == Tile.rows && columns == nr
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Tile.rows * nr) { buffer in
            // Partial tiles work on a zero-padded copy of their part of `c`.
            let edge = buffer.baseAddress!
            let (target, ld) = full ? (c, ldc) : (edge, nr)
            if !full && accumulate {
                edge.update(repeating: 0, count: Tile.rows * nr)
                for r in 0..<rows { (edge + r * nr).update(from: c + r * ldc, count: columns) }
            }
            @inline(__always) func image(_ i: Int) -> Tile {
                Tile.chain(dy: dy + i * imageStride, rows: rows, positions: positions, panel: panel + (i - firstImage) * positions * nr)
            }
            if groups.allSatisfy({ $0.count == 1 }) {
                var total = accumulate ? Tile(target, ld: ld) : image(groups[0].lowerBound)
                for group in groups.dropFirst(accumulate ? 0 : 1) { total = image(group.lowerBound) + total }
                total.store(target, ld: ld)
            } else {
                var first = !accumulate
                for group in groups {
                    var sum = image(group.lowerBound)
                    for i in group.dropFirst() { sum = image(i) + sum }
                    (first ? sum : Tile(target, ld: ld) + sum).store(target, ld: ld)
                    first = false
                }
            }
            if !full {
                for r in 0..<rows { (c + r * ldc).update(from: edge + r * nr, count: columns) }
            }
        }
    }

    /// Sums of a 6 x 32 tile of dW, two vectors per row, held in registers.
    private struct Tile {
        static let rows = 6
        var r0a = V(), r0b = V(), r1a = V(), r1b = V(), r2a = V(), r2b = V()
        var r3a = V(), r3b = V(), r4a = V(), r4b = V(), r5a = V(), r5b = V()

        @inline(__always) init() {}

        @inline(__always) init(_ p: UnsafePointer<Float>, ld: Int) {
            r0a = load(p); r0b = load(p + 16)
            r1a = load(p + 1 * ld); r1b = load(p + 1 * ld + 16)
            r2a = load(p + 2 * ld); r2b = load(p + 2 * ld + 16)
            r3a = load(p + 3 * ld); r3b = load(p + 3 * ld + 16)
            r4a = load(p + 4 * ld); r4b = load(p + 4 * ld + 16)
            r5a = load(p + 5 * ld); r5b = load(p + 5 * ld + 16)
        }

        @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, ld: Int) {
            BatchedWeightGradient.store(r0a, p); BatchedWeightGradient.store(r0b, p + 16)
            BatchedWeightGradient.store(r1a, p + 1 * ld); BatchedWeightGradient.store(r1b, p + 1 * ld + 16)
            BatchedWeightGradient.store(r2a, p + 2 * ld); BatchedWeightGradient.store(r2b, p + 2 * ld + 16)
            BatchedWeightGradient.store(r3a, p + 3 * ld); BatchedWeightGradient.store(r3b, p + 3 * ld + 16)
            BatchedWeightGradient.store(r4a, p + 4 * ld); BatchedWeightGradient.store(r4b, p + 4 * ld + 16)
            BatchedWeightGradient.store(r5a, p + 5 * ld); BatchedWeightGradient.store(r5b, p + 5 * ld + 16)
        }

        /// GEMM's store of a depth block with beta 1: `acc + C`, entry by entry.
        @inline(__always) static func + (acc: Tile, c: Tile) -> Tile {
            var t = Tile()
            t.r0a = acc.r0a + c.r0a; t.r0b = acc.r0b + c.r0b
            t.r1a = acc.r1a + c.r1a; t.r1b = acc.r1b + c.r1b
            t.r2a = acc.r2a + c.r2a; t.r2b = acc.r2b + c.r2b
            t.r3a = acc.r3a + c.r3a; t.r3b = acc.r3b + c.r3b
            t.r4a = acc.r4a + c.r4a; t.r4b = acc.r4b + c.r4b
            t.r5a = acc.r5a + c.r5a; t.r5b = acc.r5b + c.r5b
            return t
        }

        /// One image's products, the micro-kernel's fused multiply-add chain over its positions
        /// from zero: `acc[r, q] = Σ_p dy[r, p] * panel[p, q]`, rows past `rows` repeating row 0
        /// (their sums are discarded).
        @inline(__always)
        static func chain(dy a0: UnsafePointer<Float>, rows: Int, positions: Int, panel: UnsafePointer<Float>) -> Tile {
            var t = Tile()
            let a1 = rows > 1 ? a0 + 1 * positions : a0
            let a2 = rows > 2 ? a0 + 2 * positions : a0
            let a3 = rows > 3 ? a0 + 3 * positions : a0
            let a4 = rows > 4 ? a0 + 4 * positions : a0
            let a5 = rows > 5 ? a0 + 5 * positions : a0
            var pb = panel
            for p in 0..<positions {
                let b0 = load(pb), b1 = load(pb + 16)
                var x = V(repeating: a0[p]); t.r0a.addProduct(x, b0); t.r0b.addProduct(x, b1)
                x = V(repeating: a1[p]); t.r1a.addProduct(x, b0); t.r1b.addProduct(x, b1)
                x = V(repeating: a2[p]); t.r2a.addProduct(x, b0); t.r2b.addProduct(x, b1)
                x = V(repeating: a3[p]); t.r3a.addProduct(x, b0); t.r3b.addProduct(x, b1)
                x = V(repeating: a4[p]); t.r4a.addProduct(x, b0); t.r4b.addProduct(x, b1)
                x = V(repeating: a5[p]); t.r5a.addProduct(x, b0); t.r5b.addProduct(x, b1)
                pb += nr
            }
            return t
        }
    }
}
