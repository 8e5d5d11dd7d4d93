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

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> V { SIMDAccess.load(p) }
    @inline(__always) private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { SIMDAccess.store(v, p) }

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
        if rows <= 8 {
            for first in Swift.stride(from: 0, to: rows, by: 4) {
                tile4(wide: wide, kc: kc, a: a + first, b: b, edge: edge + first * nr)
            }
        } else if wide {
            tile(wide: true, kc: kc, a: a, b: b, edge: edge)
        } else {
            tile(wide: false, kc: kc, a: a, b: b, edge: edge)
        }
        GEMMMicroKernel.writeBack(edge, rows: rows, columns: columns, c: c, ldc: ldc, alpha: alpha, beta: beta)
    }

    /// Four rows of the tile (`a` pointing at the first of them in the 12-row packing), written to
    /// `edge` (4 rows of 32): the same multiply-adds as those rows of `tile`.
    @inline(__always)
    private static func tile4<B: PanelSource>(wide: Bool, kc: Int, a: UnsafePointer<Float>, b: B, edge: UnsafeMutablePointer<Float>) {
        var c0a = V(), c0b = V(), c1a = V(), c1b = V(), c2a = V(), c2b = V(), c3a = V(), c3b = V()
        var pa = a, pb = b
        if wide {
            for _ in 0..<kc {
                let (b0, b1) = pb.pair()
                var x = V(repeating: pa[0]); c0a.addProduct(x, b0); c0b.addProduct(x, b1)
                x = V(repeating: pa[1]); c1a.addProduct(x, b0); c1b.addProduct(x, b1)
                x = V(repeating: pa[2]); c2a.addProduct(x, b0); c2b.addProduct(x, b1)
                x = V(repeating: pa[3]); c3a.addProduct(x, b0); c3b.addProduct(x, b1)
                pa += mr
                pb.advance()
            }
        } else {
            for _ in 0..<kc {
                let b0 = pb.low()
                c0a.addProduct(V(repeating: pa[0]), b0); c1a.addProduct(V(repeating: pa[1]), b0)
                c2a.addProduct(V(repeating: pa[2]), b0); c3a.addProduct(V(repeating: pa[3]), b0)
                pa += mr
                pb.advance()
            }
        }
        @inline(__always) func put(_ r: Int, _ lo: V, _ hi: V) { store(lo, edge + r * nr); store(hi, edge + r * nr + 16) }
        put(0, c0a, c0b); put(1, c1a, c1b); put(2, c2a, c2b); put(3, c3a, c3b)
    }

    /// The accumulation, written to `edge` (12 rows of 32).
    @inline(__always)
    private static func tile<B: PanelSource>(wide: Bool, kc: Int, a: UnsafePointer<Float>, b: B, edge: UnsafeMutablePointer<Float>) {
        var c0a = V(), c0b = V(), c1a = V(), c1b = V(), c2a = V(), c2b = V()
        var c3a = V(), c3b = V(), c4a = V(), c4b = V(), c5a = V(), c5b = V()
        var c6a = V(), c6b = V(), c7a = V(), c7b = V(), c8a = V(), c8b = V()
        var c9a = V(), c9b = V(), c10a = V(), c10b = V(), c11a = V(), c11b = V()
        var pa = a, pb = b
        if wide {
            for _ in 0..<kc {
                let (b0, b1) = pb.pair()
                var x = V(repeating: pa[0]); c0a.addProduct(x, b0); c0b.addProduct(x, b1)
                x = V(repeating: pa[1]); c1a.addProduct(x, b0); c1b.addProduct(x, b1)
                x = V(repeating: pa[2]); c2a.addProduct(x, b0); c2b.addProduct(x, b1)
                x = V(repeating: pa[3]); c3a.addProduct(x, b0); c3b.addProduct(x, b1)
                x = V(repeating: pa[4]); c4a.addProduct(x, b0); c4b.addProduct(x, b1)
                x = V(repeating: pa[5]); c5a.addProduct(x, b0); c5b.addProduct(x, b1)
                x = V(repeating: pa[6]); c6a.addProduct(x, b0); c6b.addProduct(x, b1)
                x = V(repeating: pa[7]); c7a.addProduct(x, b0); c7b.addProduct(x, b1)
                x = V(repeating: pa[8]); c8a.addProduct(x, b0); c8b.addProduct(x, b1)
                x = V(repeating: pa[9]); c9a.addProduct(x, b0); c9b.addProduct(x, b1)
                x = V(repeating: pa[10]); c10a.addProduct(x, b0); c10b.addProduct(x, b1)
                x = V(repeating: pa[11]); c11a.addProduct(x, b0); c11b.addProduct(x, b1)
                pa += mr
                pb.advance()
            }
        } else {
            for _ in 0..<kc {
                let b0 = pb.low()
                c0a.addProduct(V(repeating: pa[0]), b0); c1a.addProduct(V(repeating: pa[1]), b0)
                c2a.addProduct(V(repeating: pa[2]), b0); c3a.addProduct(V(repeating: pa[3]), b0)
                c4a.addProduct(V(repeating: pa[4]), b0); c5a.addProduct(V(repeating: pa[5]), b0)
                c6a.addProduct(V(repeating: pa[6]), b0); c7a.addProduct(V(repeating: pa[7]), b0)
                c8a.addProduct(V(repeating: pa[8]), b0); c9a.addProduct(V(repeating: pa[9]), b0)
                c10a.addProduct(V(repeating: pa[10]), b0); c11a.addProduct(V(repeating: pa[11]), b0)
                pa += mr
                pb.advance()
            }
        }
        @inline(__always) func put(_ r: Int, _ lo: V, _ hi: V) { store(lo, edge + r * nr); store(hi, edge + r * nr + 16) }
        put(0, c0a, c0b); put(1, c1a, c1b); put(2, c2a, c2b); put(3, c3a, c3b); put(4, c4a, c4b); put(5, c5a, c5b)
        put(6, c6a, c6b); put(7, c7a, c7b); put(8, c8a, c8b); put(9, c9a, c9b); put(10, c10a, c10b); put(11, c11a, c11b)
    }
}

/// Where the micro-kernel reads B's 32 values for each depth step.
protocol PanelSource {
    /// The 32 values of the current depth step, as two halves.
    func pair() -> (SIMD16<Float>, SIMD16<Float>)
    /// The first 16 values of the current depth step.
    func low() -> SIMD16<Float>
    /// Moves to the next depth step.
    mutating func advance()
}

/// A packed panel: depth steps `depthStride` floats apart.
struct PackedPanel: PanelSource {
    var next: UnsafePointer<Float>
    let depthStride: Int
    @inline(__always) func pair() -> (SIMD16<Float>, SIMD16<Float>) { (SIMDAccess.load(next), SIMDAccess.load(next + 16)) }
    @inline(__always) func low() -> SIMD16<Float> { SIMDAccess.load(next) }
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
    @inline(__always) mutating func advance() { offsets += 1 }
}
