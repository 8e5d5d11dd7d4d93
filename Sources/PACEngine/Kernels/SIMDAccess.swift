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
}
