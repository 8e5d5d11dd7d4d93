/// Unaligned 16-float vector loads and stores, shared by the kernels.
enum SIMDAccess {
    typealias V = SIMD16<Float>

    /// The 16 floats starting at `p` (no alignment required).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    /// Writes 16 floats starting at `p` (no alignment required).
    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// A vector of any width starting at `p` (no alignment required).
    @inline(__always)
    static func load<T: SIMD>(_ p: UnsafePointer<Float>, as _: T.Type) -> T where T.Scalar == Float {
        UnsafeRawPointer(p).loadUnaligned(as: T.self)
    }

    /// Writes a vector of any width starting at `p` (no alignment required).
    @inline(__always)
    static func store<T: SIMD>(_ v: T, _ p: UnsafeMutablePointer<Float>) where T.Scalar == Float {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.self)
    }
}

extension SIMDAccess {
    /// Copies `count` floats (non-overlapping) with vector moves: no library call, which for the
    /// few floats of a small image's row (2 x 2 or 4 x 4 planes) costs more than the copy.
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        if count > 256 { dst.update(from: src, count: count); return }
        var j = 0
        while j + 16 <= count { store(load(src + j), dst + j); j += 16 }
        if count - j >= 8 { store(load(src + j, as: SIMD8<Float>.self), dst + j); j += 8 }
        if count - j >= 4 { store(load(src + j, as: SIMD4<Float>.self), dst + j); j += 4 }
        if count - j >= 2 { dst[j] = src[j]; dst[j + 1] = src[j + 1]; j += 2 }
        if count - j >= 1 { dst[j] = src[j] }
    }

    /// Writes `count` zeros with vector stores (see `copy`).
    @inline(__always)
    static func zero(_ dst: UnsafeMutablePointer<Float>, count: Int) {
        if count > 256 { dst.update(repeating: 0, count: count); return }
        var j = 0
        while j + 16 <= count { store(V(), dst + j); j += 16 }
        if count - j >= 8 { store(SIMD8<Float>(), dst + j); j += 8 }
        if count - j >= 4 { store(SIMD4<Float>(), dst + j); j += 4 }
        if count - j >= 2 { dst[j] = 0; dst[j + 1] = 0; j += 2 }
        if count - j >= 1 { dst[j] = 0 }
    }
}
