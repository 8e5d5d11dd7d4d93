import Foundation
@testable import PACEngine
import Testing

/// The optional BLAS path, opt-in through `PACNET_BLAS`. Without it these tests check that no
/// library is loaded and the fallback; CI installs OpenBLAS and reruns them with
/// `PACNET_BLAS=on PACNET_EXPECT_BLAS=1`, which makes a missing library a failure, so the BLAS
/// path itself is exercised there.
@Suite struct SystemBLASTests {
    static let expectBLAS = ProcessInfo.processInfo.environment["PACNET_EXPECT_BLAS"] == "1"

    @Test func loadsWhenExpected() {
        if Self.expectBLAS {
            #expect(SystemBLAS.shared != nil, "PACNET_EXPECT_BLAS=1 but no BLAS library could be loaded (is PACNET_BLAS=on set?)")
        }
        if let blas = SystemBLAS.shared { #expect(!blas.name.isEmpty) }
    }

    /// No BLAS unless asked for, so a seed gives the same bits on every machine by default.
    @Test func noLibraryUnlessRequested() {
        if ProcessInfo.processInfo.environment["PACNET_BLAS"] == nil { #expect(SystemBLAS.shared == nil) }
        for setting in [nil, "", "off", "OFF"] { #expect(SystemBLAS.load(setting: setting) == nil) }
        #expect(SystemBLAS.load(setting: "/nonexistent/libblas.so") == nil)
    }

    /// OpenBLAS's kernels named by the CPU's vector extensions, not its model number.
    @Test func openBLASCoreFollowsTheVectorExtensions() {
        let avx512: Set = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        #expect(SystemBLAS.openBLASCoreType(for: CPUModel(flags: avx512)) == "SkylakeX")
        // AVX-512 without BW/DQ/VL (Xeon Phi) runs the AVX2 kernels.
        #expect(SystemBLAS.openBLASCoreType(for: CPUModel(flags: ["avx", "avx2", "fma", "avx512f", "avx512cd"])) == "Haswell")
        #expect(SystemBLAS.openBLASCoreType(for: CPUModel(flags: ["sse2", "avx"])) == nil)
        #expect(SystemBLAS.openBLASCoreType(for: CPUModel()) == nil)
    }

    /// A loaded OpenBLAS on a CPU with AVX2 runs vector kernels, not the SSE3 fallback it picks
    /// for CPU models missing from its table (Debian's, on an Emerald Rapids Xeon under KVM).
    @Test(.enabled(if: SystemBLAS.shared?.coreName != nil, "needs PACNET_BLAS=on and OpenBLAS"))
    func openBLASRunsTheCPUsVectorKernels() throws {
        let core = try #require(SystemBLAS.shared?.coreName).lowercased()
        let withoutAVX2 = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "sandybridge",
                           "barcelona", "opteron", "opteron_sse3", "bobcat", "bulldozer", "piledriver", "katmai", "northwood"]
        if CPUModel.current.flags.contains("avx2") {
            #expect(!withoutAVX2.contains(core), "OpenBLAS runs its \(core) kernels on a CPU with AVX2")
        }
    }

    @Test func missingLibraryIsNil() {
        #expect(SystemBLAS.open("libdefinitely-not-a-blas.so.9") == nil)
        // A real library without cblas_sgemm is refused too.
        #expect(SystemBLAS.open("libm.so.6") == nil)
    }

    /// All transposition variants, alpha/beta, NaN-filled C with beta 0 and padded leading
    /// dimensions through the BLAS path agree with the built-in kernel within rounding.
    @Test(.enabled(if: SystemBLAS.shared != nil, "needs PACNET_BLAS and a system BLAS; CI installs OpenBLAS for this"),
          arguments: [false, true], [false, true])
    func blasAgreesWithTheBuiltinKernel(transposeA: Bool, transposeB: Bool) {
        for (m, n, k, alpha, beta) in [(7, 5, 3, Float(1), Float(0)), (130, 70, 300, 0.5, 1), (257, 129, 513, 2, 0.25)] {
            let problem = GEMMCase(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                   alpha: alpha, beta: beta, padA: 2, padB: 3, padC: 1)
            let buffers = problem.makeBuffers(seed: 11)
            let viaBLAS = problem.run(buffers, threads: 2, backend: .blas)
            problem.verify(viaBLAS, buffers)
            let builtin = problem.run(buffers, threads: 2, backend: .builtin)
            for (x, y) in zip(viaBLAS, builtin) where !(x.isNaN && y.isNaN) {
                #expect(abs(x - y) <= 1e-3 * max(1, abs(y)), "BLAS \(x) vs builtin \(y) for \(problem)")
            }
        }
    }
}
