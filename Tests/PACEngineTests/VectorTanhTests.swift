import Foundation
import Testing
@testable import PACEngine
#if canImport(Glibc)
import Glibc
#endif

/// The engine's vectorized `tanh` (fdlibm's algorithm): accuracy against Double, special values,
/// and, where the C library still uses that algorithm (glibc before 2.41), the same bits as its
/// `tanhf` (all 2^32 inputs: scripts/tanh-exhaustive/run.sh).
@Suite struct VectorTanhTests {
    /// Inputs covering every branch: tiny, below 1, the expm1 reduction cases, near 22, beyond.
    private static let samples: [Float] = {
        var values: [Float] = [0, -0, 1, -1, 22, -22, 21.999998, 0.5, 0.3466, 0.3467, 1.0397, 1.0398, 9.35, 9.36, 0x1p-55, 0x1p-56,
                               0x1p-25, 0x1p-26, 0x1p-126, 0x1p-149, .greatestFiniteMagnitude, 44, 28]
        var state: UInt32 = 12345
        for _ in 0..<200_000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            // Magnitudes from 2^-60 to 2^6 (tanh is +-1 in float beyond), both signs.
            let exponent = Float(Int(state >> 8) % 66 - 60)
            state = state &* 1_664_525 &+ 1_013_904_223
            let mantissa = 1 + Float(state >> 9) * 0x1p-23
            values.append((state & 1 == 0 ? 1 : -1) * mantissa * Foundation.pow(2, exponent))
        }
        return values
    }()

    private func ulps(_ a: Float, _ exact: Double) -> Double {
        let rounded = Float(exact)
        return abs(Double(a) - exact) / Double(rounded.ulp == 0 ? Float.leastNonzeroMagnitude : rounded.ulp)
    }

    @Test func withinThreeUlpsOfTheExactValue() {
        var worst = 0.0
        for x in Self.samples { worst = max(worst, ulps(VectorTanh.tanh(x), Foundation.tanh(Double(x)))) }
        #expect(worst < 3, "worst error \(worst) ulp")  // fdlibm tanhf: about 2 ulp at worst
    }

    @Test func specialValues() {
        #expect(VectorTanh.tanh(Float.infinity) == 1 && VectorTanh.tanh(-Float.infinity) == -1)
        #expect(VectorTanh.tanh(Float.nan).isNaN)
        #expect(VectorTanh.tanh(Float(0)).bitPattern == Float(0).bitPattern)
        #expect(VectorTanh.tanh(Float(-0.0)).bitPattern == Float(-0.0).bitPattern)
        #expect(VectorTanh.tanh(Float(30)) == 1 && VectorTanh.tanh(Float(-30)) == -1)
        #expect(VectorTanh.tanh(Float(1e-20)) == 1e-20)
        // Odd: tanh(-x) = -tanh(x) bit for bit.
        for x in Self.samples.prefix(5000) { #expect(VectorTanh.tanh(-x).bitPattern == (-VectorTanh.tanh(x)).bitPattern) }
    }

    @Test func inPlaceApplyMatchesLaneByLane() {
        // 37 values: two full vectors and a tail.
        var values = Array(Self.samples[100..<137])
        let expected = values.map { VectorTanh.tanh($0) }
        values.withUnsafeMutableBufferPointer { VectorTanh.apply(inPlace: $0.baseAddress!, count: $0.count) }
        #expect(values.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    #if canImport(Glibc)
    @Test func sameBitsAsTheCLibraryWhereItUsesTheSameAlgorithm() throws {
        typealias VersionFunction = @convention(c) () -> UnsafePointer<CChar>
        let symbol = try #require(dlsym(dlopen(nil, RTLD_NOW), "gnu_get_libc_version"))
        let version = String(cString: unsafeBitCast(symbol, to: VersionFunction.self)()).split(separator: ".").compactMap { Int($0) }
        // glibc 2.41 replaced tanhf with a correctly rounded one (CORE-MATH).
        try #require(version.count >= 2)
        guard version[0] == 2 && version[1] < 41 else { return }
        for x in Self.samples { #expect(VectorTanh.tanh(x).bitPattern == Glibc.tanhf(x).bitPattern, "tanh(\(x))") }
    }
    #endif
}
