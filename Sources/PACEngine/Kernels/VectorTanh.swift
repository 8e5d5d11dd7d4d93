/// `tanh` for Float, 16 lanes at a time, with the arithmetic of the classic fdlibm algorithm
/// (Sun Microsystems, 1993: `tanh(x) = 1 - 2 / (expm1(2|x|) + 2)` for |x| >= 1 and
/// `-expm1(-2|x|) / (expm1(-2|x|) + 2)` below, with fdlibm's `expm1f` argument reduction and
/// rational approximation), operation for operation in single precision.
///
/// That algorithm is the `tanhf` of glibc up to 2.40, which the engine called per element
/// before: the scalar call (`tanhf` and `expm1f`, about 20 ns) was two thirds of a training step
/// of the `pendulum` and `burgers` networks. Computed here on whole vectors, every branch in
/// every lane and the right one selected, it gives the same bits (checked against this machine's
/// glibc 2.36 for all 2^32 inputs by `scripts/tanh-exhaustive/run.sh`), on any platform and libm.
public enum VectorTanh {
    public typealias Vector = SIMD16<Float>
    typealias Bits = SIMD16<UInt32>
    typealias Integers = SIMD16<Int32>

    /// `tanh` of every lane.
    @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let xBits = bits(x)
        let magnitudeBits = xBits & 0x7fff_ffff
        let negative = signMask(xBits)
        let ax = float(magnitudeBits)
        // 2^-55 <= |x| < 22: through expm1 of 2|x| (|x| >= 1) or of -2|x|.
        let large = ~below(magnitudeBits, 0x3f80_0000)
        let main = ~below(magnitudeBits, 0x2400_0000) & below(magnitudeBits, 0x41b0_0000)
        // Lanes that take no expm1 get a harmless argument.
        let argument = select(main, select(large, 2 * ax, (-2 as Float) * ax), Vector(repeating: 1))
        let t = expm1(argument)
        var z = select(large, 1 - 2 / (t + 2), (-t) / (t + 2))
        // |x| >= 22 (and below infinity): 1 - 1e-30 rounds to 1.
        z = select(~below(magnitudeBits, 0x41b0_0000), Vector(repeating: 1 - 1e-30 as Float), z)
        var result = select(negative, -z, z)
        // |x| < 2^-55: x * (1 + x); zero: x itself; infinity and NaN: 1/x + 1 or 1/x - 1.
        result = select(below(magnitudeBits, 0x2400_0000), x * (1 + x), result)
        result = select(below(magnitudeBits, 1), x, result)
        result = select(~below(magnitudeBits, 0x7f80_0000), select(negative, 1 / x - 1, 1 / x + 1), result)
        return result
    }

    /// `tanh` of one value (lane 0 of the vector computation).
    @inline(__always)
    public static func tanh(_ x: Float) -> Float { tanh(Vector(repeating: x))[0] }

    /// `p[i] = tanh(p[i])` for `i < count`.
    public static func apply(inPlace p: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let value = UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(p + i).storeBytes(of: tanh(value), as: Vector.self)
            i += 16
        }
        if i < count {
            var tail = Vector()
            for lane in 0..<(count - i) { tail[lane] = p[i + lane] }
            let result = tanh(tail)
            for lane in 0..<(count - i) { p[i + lane] = result[lane] }
        }
    }

    // fdlibm expm1f constants.
    private static let ln2High: Float = 6.9313812256e-01    // 0x3f317180
    private static let ln2Low: Float = 9.0580006145e-06     // 0x3717f7d1
    private static let inverseLn2: Float = 1.4426950216e+00  // 0x3fb8aa3b
    private static let q1: Float = -3.3333335072e-02, q2: Float = 1.5873016091e-03, q3: Float = -7.9365076090e-05
    private static let q4: Float = 4.0082177293e-06, q5: Float = -2.0109921195e-07

    /// fdlibm's `expm1f` for finite lanes with |x| < 27 ln2 when x < 0 and x < 88.7 (all that
    /// `tanh` passes), every branch computed and selected per lane.
    @inline(__always)
    static func expm1(_ x: Vector) -> Vector {
        let xBits = bits(x)
        let hx = xBits & 0x7fff_ffff
        let negative = signMask(xBits)
        // Argument reduction, x = k ln2 + r with |r| <= 0.5 ln2 (r as hi - lo); k is the C
        // code's `(int32_t)(invln2 * x +- 0.5)`, a truncation toward zero.
        let kReal = inverseLn2 * x + select(negative, Vector(repeating: -0.5), Vector(repeating: 0.5))
        let nearest = (kReal + 0x1.8p23) - 0x1.8p23  // |kReal| < 2^22
        let towardZero = float((bits(1) & 0x7fff_ffff) | (bits(kReal) & 0x8000_0000))
        let kGeneral = select(below(bits(kReal) & 0x7fff_ffff, bits(nearest) & 0x7fff_ffff), nearest - towardZero, nearest)
        let nearLn2 = below(hx, 0x3f85_1592)
        let reduced = ~below(hx, 0x3eb1_7219)
        let hi = select(nearLn2, select(negative, x + ln2High, x - ln2High), x - kGeneral * ln2High)
        let lo = select(nearLn2, select(negative, Vector(repeating: -ln2Low), Vector(repeating: ln2Low)), kGeneral * ln2Low)
        var k = select(nearLn2, select(negative, Vector(repeating: -1), Vector(repeating: 1)), kGeneral)
        k = select(reduced, k, Vector())
        var r = hi - lo
        let c = (hi - r) - lo
        r = select(reduced, r, x)
        // The rational approximation on the primary range.
        let hfx = 0.5 * r
        let hxs = r * hfx
        let r1 = 1 + hxs * (q1 + hxs * (q2 + hxs * (q3 + hxs * (q4 + hxs * q5))))
        let t = 3 - r1 * hfx
        let e = hxs * ((r1 - t) / (6 - r * t))
        var result = r - (r * e - hxs)  // k == 0
        var e2 = r * (e - c) - c
        e2 = e2 - hxs
        // The integer k (exact: the low bits of k + 1.5 * 2^23) and 2^k as an exponent increment.
        let kInteger = unsafeBitCast(bits(k + 0x1.8p23) &- 0x4b40_0000, to: Integers.self)
        let exponent = unsafeBitCast(kInteger &<< 23, to: Bits.self)
        result = select(equal(kInteger, -1), 0.5 * (r - e2) - 0.5, result)
        let belowQuarter = signMask(bits(r)) & below(bits(0.25), bits(r) & 0x7fff_ffff)  // r < -0.25
        result = select(equal(kInteger, 1), select(belowQuarter, -2 * (e2 - (r + 0.5)), 1 + 2 * (r - e2)), result)
        // k <= -2 or k > 56: 2^k (1 - (e - r)) - 1.
        let yA = float(bits(1 - (e2 - r)) &+ exponent) - 1
        result = select(less(kInteger, -1) | less(56, kInteger), yA, result)
        // 2 <= k < 23: 2^k ((1 - 2^-k) - (e - r)).
        let tB = float(unsafeBitCast(0x3f80_0000 &- (Integers(repeating: 0x100_0000) &>> kInteger), to: Bits.self))
        let yB = float(bits(tB - (e2 - r)) &+ exponent)
        result = select(less(1, kInteger) & less(kInteger, 23), yB, result)
        // 23 <= k <= 56: 2^k ((r - (e + 2^-k)) + 1).
        let tC = float(unsafeBitCast((0x7f &- kInteger) &<< 23, to: Bits.self))
        let yC = float(bits((r - (e2 + tC)) + 1) &+ exponent)
        result = select(less(22, kInteger) & less(kInteger, 57), yC, result)
        // |x| < 2^-25: x itself.
        return select(below(hx, 0x3300_0000), x, result)
    }

    // Lane masks as integers (all ones or zero) and selection by bits: Swift's generic SIMD
    // comparisons and `replacing(with:where:)` compile to per-lane branches here.

    @inline(__always) private static func bits(_ v: Vector) -> Bits { unsafeBitCast(v, to: Bits.self) }
    @inline(__always) private static func bits(_ v: Float) -> Bits { Bits(repeating: v.bitPattern) }
    @inline(__always) private static func float(_ b: Bits) -> Vector { unsafeBitCast(b, to: Vector.self) }

    /// `mask ? a : b` per lane.
    @inline(__always)
    private static func select(_ mask: Bits, _ a: Vector, _ b: Vector) -> Vector { float((bits(a) & mask) | (bits(b) & ~mask)) }

    /// All ones where the sign bit is set.
    @inline(__always)
    private static func signMask(_ v: Bits) -> Bits { unsafeBitCast(unsafeBitCast(v, to: Integers.self) &>> 31, to: Bits.self) }

    /// All ones where `a < limit`, for `a` and `limit` below 2^31.
    @inline(__always)
    private static func below(_ a: Bits, _ limit: UInt32) -> Bits { signMask(a &- Bits(repeating: limit)) }
    @inline(__always)
    private static func below(_ a: Bits, _ limit: Bits) -> Bits { signMask(a &- limit) }

    /// All ones where `a < b`, for small integers.
    @inline(__always)
    private static func less(_ a: Integers, _ b: Int32) -> Bits { signMask(unsafeBitCast(a &- Integers(repeating: b), to: Bits.self)) }
    @inline(__always)
    private static func less(_ a: Int32, _ b: Integers) -> Bits { signMask(unsafeBitCast(Integers(repeating: a) &- b, to: Bits.self)) }

    /// All ones where `a == b`.
    @inline(__always)
    private static func equal(_ a: Integers, _ b: Int32) -> Bits {
        let difference = unsafeBitCast(a ^ Integers(repeating: b), to: Bits.self)
        return ~signMask(difference | (0 &- difference))
    }
}
