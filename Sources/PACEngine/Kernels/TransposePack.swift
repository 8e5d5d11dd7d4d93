/// Packing of a transposed B operand (stored `n x k`) into `GEMM`'s `kc x NR` panels, and of a
/// row-major A into its `12 x kc` panels: a
/// transpose, done in 16 x 16 tiles held in sixteen `SIMD16<Float>` registers so that both the
/// reads (source rows) and the writes (panel rows) are whole vectors. Values are only moved,
/// never combined, so the packed panel is identical to the scalar loop's.
enum TransposePack {
    typealias V = SIMD16<Float>

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> V { SIMDAccess.load(p) }
    @inline(__always) private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { SIMDAccess.store(v, p) }

    /// One round of the transpose: rotates each element's 8-bit (row, column) address right by one
    /// bit. Rows `0..<8` become the even columns of row pairs, rows `8..<16` the odd ones; four
    /// rounds rotate by four bits, which swaps row and column. Each output is one two-source
    /// permute (`vpermt2ps` with AVX-512).
    @inline(__always)
    private static func round(_ r: inout (V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V)) {
        r = (V(lowHalf: r.0.evenHalf, highHalf: r.1.evenHalf), V(lowHalf: r.2.evenHalf, highHalf: r.3.evenHalf),
             V(lowHalf: r.4.evenHalf, highHalf: r.5.evenHalf), V(lowHalf: r.6.evenHalf, highHalf: r.7.evenHalf),
             V(lowHalf: r.8.evenHalf, highHalf: r.9.evenHalf), V(lowHalf: r.10.evenHalf, highHalf: r.11.evenHalf),
             V(lowHalf: r.12.evenHalf, highHalf: r.13.evenHalf), V(lowHalf: r.14.evenHalf, highHalf: r.15.evenHalf),
             V(lowHalf: r.0.oddHalf, highHalf: r.1.oddHalf), V(lowHalf: r.2.oddHalf, highHalf: r.3.oddHalf),
             V(lowHalf: r.4.oddHalf, highHalf: r.5.oddHalf), V(lowHalf: r.6.oddHalf, highHalf: r.7.oddHalf),
             V(lowHalf: r.8.oddHalf, highHalf: r.9.oddHalf), V(lowHalf: r.10.oddHalf, highHalf: r.11.oddHalf),
             V(lowHalf: r.12.oddHalf, highHalf: r.13.oddHalf), V(lowHalf: r.14.oddHalf, highHalf: r.15.oddHalf))
    }

    /// Writes the transpose of the 16 x 16 block with rows at `src + q * ld` (q < 16, 16 values
    /// each) to `dst + p * stride` (p < 16, 16 values each): `dst[p * stride + q] = src[q * ld + p]`.
    @inline(__always)
    private static func tile16(_ src: UnsafePointer<Float>, ld: Int, _ dst: UnsafeMutablePointer<Float>, stride: Int) {
        var r = (load(src), load(src + ld), load(src + 2 * ld), load(src + 3 * ld),
                 load(src + 4 * ld), load(src + 5 * ld), load(src + 6 * ld), load(src + 7 * ld),
                 load(src + 8 * ld), load(src + 9 * ld), load(src + 10 * ld), load(src + 11 * ld),
                 load(src + 12 * ld), load(src + 13 * ld), load(src + 14 * ld), load(src + 15 * ld))
        round(&r); round(&r); round(&r); round(&r)
        store(r.0, dst); store(r.1, dst + stride); store(r.2, dst + 2 * stride); store(r.3, dst + 3 * stride)
        store(r.4, dst + 4 * stride); store(r.5, dst + 5 * stride); store(r.6, dst + 6 * stride); store(r.7, dst + 7 * stride)
        store(r.8, dst + 8 * stride); store(r.9, dst + 9 * stride); store(r.10, dst + 10 * stride); store(r.11, dst + 11 * stride)
        store(r.12, dst + 12 * stride); store(r.13, dst + 13 * stride); store(r.14, dst + 14 * stride); store(r.15, dst + 15 * stride)
    }

    /// `round` for eight rows.
    @inline(__always)
    private static func round8(_ r: inout (V, V, V, V, V, V, V, V)) {
        r = (V(lowHalf: r.0.evenHalf, highHalf: r.1.evenHalf), V(lowHalf: r.2.evenHalf, highHalf: r.3.evenHalf),
             V(lowHalf: r.4.evenHalf, highHalf: r.5.evenHalf), V(lowHalf: r.6.evenHalf, highHalf: r.7.evenHalf),
             V(lowHalf: r.0.oddHalf, highHalf: r.1.oddHalf), V(lowHalf: r.2.oddHalf, highHalf: r.3.oddHalf),
             V(lowHalf: r.4.oddHalf, highHalf: r.5.oddHalf), V(lowHalf: r.6.oddHalf, highHalf: r.7.oddHalf))
    }

    /// `tile16` for an 8 x 16 block (`q < 8`, `p < 16`): four rounds rotate the 7-bit address
    /// right by four, leaving depths `2i` and `2i + 1` in the halves of register `i`.
    @inline(__always)
    private static func tile8(_ src: UnsafePointer<Float>, ld: Int, _ dst: UnsafeMutablePointer<Float>, stride: Int) {
        var r = (load(src), load(src + ld), load(src + 2 * ld), load(src + 3 * ld),
                 load(src + 4 * ld), load(src + 5 * ld), load(src + 6 * ld), load(src + 7 * ld))
        round8(&r); round8(&r); round8(&r); round8(&r)
        @inline(__always) func put(_ v: V, _ i: Int) {
            UnsafeMutableRawPointer(dst + 2 * i * stride).storeBytes(of: v.lowHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dst + (2 * i + 1) * stride).storeBytes(of: v.highHalf, as: SIMD8<Float>.self)
        }
        put(r.0, 0); put(r.1, 1); put(r.2, 2); put(r.3, 3); put(r.4, 4); put(r.5, 5); put(r.6, 6); put(r.7, 7)
    }

    /// Fills one `kc x nr` panel with `panel[p * nr + q] = src[q * ld + p]` for `q < width`
    /// (`width <= nr`, `nr` a multiple of 16) and zero for `q >= width`. Reads only the
    /// `width x kc` source block.
    static func panel(_ src: UnsafePointer<Float>, ld: Int, kc: Int, width: Int,
                      into panel: UnsafeMutablePointer<Float>, nr: Int) {
        let fullDepth = kc / 16 * 16
        var q = 0
        /// Packs `rows` (8 or 16) source rows at `q`: whole 16-deep tiles, then the depth tail.
        @inline(__always) func strip(_ rows: Int) {
            var p = 0
            while p < fullDepth {
                if rows == 8 {
                    tile8(src + q * ld + p, ld: ld, panel + p * nr + q, stride: nr)
                } else {
                    tile16(src + q * ld + p, ld: ld, panel + p * nr + q, stride: nr)
                }
                p += 16
            }
            // Depth tail: fewer than 16 values left per row.
            while p < kc {
                let out = panel + p * nr + q
                for t in 0..<rows { out[t] = src[(q + t) * ld + p] }
                p += 1
            }
            q += rows
        }
        // Source rows a multiple of 4 KB apart all map to one L1 set: sixteen of them (each load
        // straddling two lines) overflow its ways, so such strides take 8-row tiles
        // (measured: 144 x 1024 packs 1.5x faster with 8-row tiles, other strides ~10% slower).
        if ld % 1024 == 0 {
            while q + 8 <= width { strip(8) }
        }
        while q + 16 <= width { strip(16) }
        // Column tail: fewer than 16 source rows left.
        while q < width {
            let row = src + q * ld
            for p in 0..<kc { panel[p * nr + q] = row[p] }
            q += 1
        }
        if width < nr { for p in 0..<kc { (panel + p * nr + width).update(repeating: 0, count: nr - width) } }
    }

    /// Packs 12 rows of a row-major A (at stride `ld`) as `GEMM`'s `12 x kc` micro-panel stored
    /// depth-major, `panel[p * 12 + q] = src[q * ld + p]`: two overlapping 8-row tiles (rows 0-7
    /// and 4-11, the overlap written twice with the same values) per 16 depth steps.
    static func strip12(_ src: UnsafePointer<Float>, ld: Int, kc: Int, into panel: UnsafeMutablePointer<Float>) {
        var p = 0
        while p + 16 <= kc {
            tile8(src + p, ld: ld, panel + p * 12, stride: 12)
            tile8(src + 4 * ld + p, ld: ld, panel + p * 12 + 4, stride: 12)
            p += 16
        }
        while p < kc {
            for q in 0..<12 { panel[p * 12 + q] = src[q * ld + p] }
            p += 1
        }
    }
}
