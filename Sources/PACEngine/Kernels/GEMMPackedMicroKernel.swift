/// The register-tiled inner kernel of `GEMM` for a packed A: a 12 x 32 tile of C held in 24
/// `SIMD16<Float>` accumulators, one fused multiply-add each per depth step.
///
/// Twice the rows of `GEMMMicroKernel` (which reads unpacked A at any strides, and so needs a
/// pointer per row): each 32-wide row of B loaded feeds 24 multiply-adds instead of 12, halving
/// the B traffic that limited the 6-row tile (measured 0.77x -> 0.9x OpenBLAS on one core at
/// 512³ together with the loop order). Every accumulator runs the same sequence of
/// multiply-adds as the 6-row tile's, so the products are bit-identical.
enum GEMMPackedMicroKernel {
    static let mr = 12
    static let nr = GEMMMicroKernel.nr

    typealias V = SIMD16<Float>

    /// `C[0..<rows, 0..<columns] = alpha * A * B + beta * C` (C not read when beta is 0) for a
    /// packed A panel (entry `(r, p)` at `a[p * 12 + r]`, zero-padded past `rows`) and a B panel
    /// whose 32 values for depth `p` start at `b[p * depthStrideB]`. `edge` holds 12 x 32 floats.
    static func run(
        kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, depthStrideB: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int,
        alpha: Float, beta: Float, edge: UnsafeMutablePointer<Float>
    ) {
        run(kc: kc, a: a, b: PackedPanel(next: b, depthStride: depthStrideB), c: c, ldc: ldc, rows: rows, columns: columns,
            alpha: alpha, beta: beta, edge: edge)
    }

    /// `run` with B's 32 values for depth `p` read as two 16-float halves at `first + offsets[p]`
    /// and `second + offsets[p]`, straight from the (zero-padded) input planes of a stride-1
    /// convolution instead of a packed panel: the same multiply-adds on the same values.
    static func run(
        kc: Int, a: UnsafePointer<Float>, first: UnsafePointer<Float>, second: UnsafePointer<Float>, offsets: UnsafePointer<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int,
        alpha: Float, beta: Float, edge: UnsafeMutablePointer<Float>
    ) {
        run(kc: kc, a: a, b: GatheredPanel(first: first, second: second, offsets: offsets), c: c, ldc: ldc, rows: rows, columns: nr,
            alpha: alpha, beta: beta, edge: edge)
    }

    @inline(__always)
    private static func run<B: PanelSource>(
        kc: Int, a: UnsafePointer<Float>, b: B,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int,
        alpha: Float, beta: Float, edge: UnsafeMutablePointer<Float>
    ) {
        // An edge panel of at most 16 columns runs the half-width (12 x 16) tile. The last panel
        // of rows (4 of 64 channels, 8 of 128) runs 4-row tiles instead of multiplying padding.
        let wide = columns > 16
        if GEMMMicroKernel.halfTiles {
            // Without AVX-512, 6 x 16 tiles (see `GEMMMicroKernel.halfTiles`).
            for half in 0..<(wide ? 2 : 1) {
                for first in Swift.stride(from: 0, to: rows, by: 6) {
                    sixRows(kc: kc, a: a + first, b: b, high: half == 1, edge: edge + first * nr + half * 16)
                }
            }
            GEMMMicroKernel.writeBack(edge, rows: rows, columns: columns, c: c, ldc: ldc, alpha: alpha, beta: beta)
            return
        }
        if rows <= 8 {
            for first in Swift.stride(from: 0, to: rows, by: 4) {
                tile(groups: 1, wide: wide, kc: kc, a: a + first, b: b, edge: edge + first * nr)
            }
        } else {
            tile(groups: 3, wide: wide, kc: kc, a: a, b: b, edge: edge)
        }
        GEMMMicroKernel.writeBack(edge, rows: rows, columns: columns, c: c, ldc: ldc, alpha: alpha, beta: beta)
    }

    /// The accumulation of `groups` x 4 rows (3 for the whole tile, 1 for a last panel of 4 or 8
    /// rows, `a` pointing at its first row in the 12-row packing), written to `edge` (rows of 32).
    @inline(__always)
    private static func tile<B: PanelSource>(groups: Int, wide: Bool, kc: Int, a: UnsafePointer<Float>, b: B,
                                             edge: UnsafeMutablePointer<Float>) {
        var rows0 = FourRows(), rows1 = FourRows(), rows2 = FourRows()
        var pa = a, pb = b
        if groups == 3 && wide {
            for _ in 0..<kc {
                let (b0, b1) = pb.pair()
                rows0.add(pa, b0, b1); rows1.add(pa + 4, b0, b1); rows2.add(pa + 8, b0, b1)
                pa += mr
                pb.advance()
            }
        } else if groups == 3 {
            for _ in 0..<kc {
                let b0 = pb.low()
                rows0.add(pa, b0); rows1.add(pa + 4, b0); rows2.add(pa + 8, b0)
                pa += mr
                pb.advance()
            }
        } else if wide {
            for _ in 0..<kc {
                let (b0, b1) = pb.pair()
                rows0.add(pa, b0, b1)
                pa += mr
                pb.advance()
            }
        } else {
            for _ in 0..<kc {
                rows0.add(pa, pb.low())
                pa += mr
                pb.advance()
            }
        }
        rows0.store(to: edge)
        if groups == 3 {
            rows1.store(to: edge + 4 * nr)
            rows2.store(to: edge + 8 * nr)
        }
    }
}

extension GEMMPackedMicroKernel {
    /// The accumulation of 6 rows (`a` pointing at the first in the 12-row packing) by one
    /// 16-column half of the panel, written to `edge` (rows of 32): 6 accumulators, one broadcast
    /// and one multiply-add per row and depth step, as in the full tile.
    @inline(__always)
    fileprivate static func sixRows<B: PanelSource>(kc: Int, a: UnsafePointer<Float>, b: B, high: Bool, edge: UnsafeMutablePointer<Float>) {
        var r0 = V(), r1 = V(), r2 = V(), r3 = V(), r4 = V(), r5 = V()
        var pa = a, pb = b
        @inline(__always) func add(_ x: V) {
            r0.addProduct(V(repeating: pa[0]), x); r1.addProduct(V(repeating: pa[1]), x)
            r2.addProduct(V(repeating: pa[2]), x); r3.addProduct(V(repeating: pa[3]), x)
            r4.addProduct(V(repeating: pa[4]), x); r5.addProduct(V(repeating: pa[5]), x)
            pa += mr
            pb.advance()
        }
        if high {
            for _ in 0..<kc { add(pb.high()) }
        } else {
            for _ in 0..<kc { add(pb.low()) }
        }
        SIMDAccess.store(r0, edge); SIMDAccess.store(r1, edge + nr); SIMDAccess.store(r2, edge + 2 * nr)
        SIMDAccess.store(r3, edge + 3 * nr); SIMDAccess.store(r4, edge + 4 * nr); SIMDAccess.store(r5, edge + 5 * nr)
    }
}

/// Four rows of the tile's accumulators, two 16-lane halves each: one broadcast of the row's A
/// value and one fused multiply-add per half and depth step.
private struct FourRows {
    typealias V = SIMD16<Float>
    var r0a = V(), r0b = V(), r1a = V(), r1b = V(), r2a = V(), r2b = V(), r3a = V(), r3b = V()

    @inline(__always) mutating func add(_ a: UnsafePointer<Float>, _ b0: V, _ b1: V) {
        var x = V(repeating: a[0]); r0a.addProduct(x, b0); r0b.addProduct(x, b1)
        x = V(repeating: a[1]); r1a.addProduct(x, b0); r1b.addProduct(x, b1)
        x = V(repeating: a[2]); r2a.addProduct(x, b0); r2b.addProduct(x, b1)
        x = V(repeating: a[3]); r3a.addProduct(x, b0); r3b.addProduct(x, b1)
    }

    /// The first half only (a panel of at most 16 columns).
    @inline(__always) mutating func add(_ a: UnsafePointer<Float>, _ b0: V) {
        r0a.addProduct(V(repeating: a[0]), b0); r1a.addProduct(V(repeating: a[1]), b0)
        r2a.addProduct(V(repeating: a[2]), b0); r3a.addProduct(V(repeating: a[3]), b0)
    }

    @inline(__always) func store(to edge: UnsafeMutablePointer<Float>) {
        let nr = GEMMPackedMicroKernel.nr
        SIMDAccess.store(r0a, edge); SIMDAccess.store(r0b, edge + 16)
        SIMDAccess.store(r1a, edge + nr); SIMDAccess.store(r1b, edge + nr + 16)
        SIMDAccess.store(r2a, edge + 2 * nr); SIMDAccess.store(r2b, edge + 2 * nr + 16)
        SIMDAccess.store(r3a, edge + 3 * nr); SIMDAccess.store(r3b, edge + 3 * nr + 16)
    }
}

/// Where the micro-kernel reads B's 32 values for each depth step.
protocol PanelSource {
    /// The 32 values of the current depth step, as two halves.
    func pair() -> (SIMD16<Float>, SIMD16<Float>)
    /// The first 16 values of the current depth step.
    func low() -> SIMD16<Float>
    /// The last 16 values of the current depth step.
    func high() -> SIMD16<Float>
    /// Moves to the next depth step.
    mutating func advance()
}

/// A packed panel: depth steps `depthStride` floats apart.
struct PackedPanel: PanelSource {
    var next: UnsafePointer<Float>
    let depthStride: Int
    @inline(__always) func pair() -> (SIMD16<Float>, SIMD16<Float>) { (SIMDAccess.load(next), SIMDAccess.load(next + 16)) }
    @inline(__always) func low() -> SIMD16<Float> { SIMDAccess.load(next) }
    @inline(__always) func high() -> SIMD16<Float> { SIMDAccess.load(next + 16) }
    @inline(__always) mutating func advance() { next += depthStride }
}

/// Two 16-float row segments of the input planes, read at each depth step's offset.
struct GatheredPanel: PanelSource {
    let first: UnsafePointer<Float>, second: UnsafePointer<Float>
    var offsets: UnsafePointer<Int>
    @inline(__always) func pair() -> (SIMD16<Float>, SIMD16<Float>) {
        let offset = offsets.pointee
        return (SIMDAccess.load(first + offset), SIMDAccess.load(second + offset))
    }
    @inline(__always) func low() -> SIMD16<Float> { SIMDAccess.load(first + offsets.pointee) }
    @inline(__always) func high() -> SIMD16<Float> { SIMDAccess.load(second + offsets.pointee) }
    @inline(__always) mutating func advance() { offsets += 1 }
}
