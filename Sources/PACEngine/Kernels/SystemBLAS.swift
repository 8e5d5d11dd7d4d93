#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An optional system BLAS, loaded at run time with `dlopen` so the package builds and runs with
/// nothing but the Swift toolchain. Only `cblas_sgemm` is used.
///
/// Opt-in, so that by default every product runs in the built-in kernel and a seed gives the
/// same bits on every machine: with `PACNET_BLAS` unset, empty or `off` no library is loaded.
/// `PACNET_BLAS=on` (or `1`, `openblas`) tries, in order, `libopenblas.so.0`, `libopenblas.so`,
/// `libblas.so.3` and on macOS the Accelerate framework; any other value is a library path to
/// open. A BLAS is faster for large products, but its bits depend on the library and the CPU.
///
/// OpenBLAS chooses its kernels from a table of CPU models, and on a model its table lacks it
/// falls back to the slowest, SSE3 ("Prescott") kernels: Debian's OpenBLAS on an Emerald Rapids
/// Xeon under KVM (family 6 model 207) ran 1024³ at 49 GFLOP/s instead of 203. So before opening
/// a library, `OPENBLAS_CORETYPE` (which OpenBLAS reads as it loads) is set from the CPU's
/// instruction-set flags (`openBLASCoreType(for:)`) unless the environment already sets it.
public final class SystemBLAS: @unchecked Sendable {
    public typealias SGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void

    /// The library's file name or path, as opened.
    public let name: String
    /// Whether the library is OpenBLAS (which is multithreaded and far faster than reference BLAS).
    public let isOpenBLAS: Bool
    /// The kernels OpenBLAS runs (`openblas_get_corename`, e.g. "SkylakeX"); nil for other libraries.
    public let coreName: String?
    let sgemm: SGEMM

    private init(name: String, isOpenBLAS: Bool, coreName: String?, sgemm: @escaping SGEMM) {
        self.name = name
        self.isOpenBLAS = isOpenBLAS
        self.coreName = coreName
        self.sgemm = sgemm
    }

    /// The library `PACNET_BLAS` asks for, or `nil` when it asks for none (the default) or the
    /// library cannot be opened.
    public static let shared: SystemBLAS? = load(setting: ProcessInfo.processInfo.environment["PACNET_BLAS"])

    /// Opens a BLAS library by file name or path; `nil` if it cannot be opened or lacks `cblas_sgemm`.
    public static func open(_ name: String) -> SystemBLAS? {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { return nil }
        guard let symbol = dlsym(handle, "cblas_sgemm") else { dlclose(handle); return nil }
        let isOpenBLAS = dlsym(handle, "openblas_get_config") != nil
        typealias CoreName = @convention(c) () -> UnsafePointer<CChar>?
        let coreName = dlsym(handle, "openblas_get_corename")
            .flatMap { unsafeBitCast($0, to: CoreName.self)() }
            .map { String(cString: $0) }
        return SystemBLAS(name: name, isOpenBLAS: isOpenBLAS, coreName: coreName, sgemm: unsafeBitCast(symbol, to: SGEMM.self))
    }

    /// The OpenBLAS core type for a CPU's vector extensions: "SkylakeX" with AVX-512 (F, CD, BW,
    /// DQ, VL), "Haswell" with AVX2 and FMA, nil otherwise (OpenBLAS's own detection stands).
    /// Named by the extensions, not the model, so a CPU newer than the library is covered too.
    public static func openBLASCoreType(for cpu: CPUModel) -> String? {
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(cpu.flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpu.flags.contains) { return "Haswell" }
        return nil
    }

    /// Sets `OPENBLAS_CORETYPE` for this CPU unless the environment sets it (see the type's
    /// documentation). `setenv` is not safe while other threads read the environment, so a
    /// program touches `shared` before it starts threads (`pacnet` does so first thing).
    private static func chooseOpenBLASCore() {
        if let core = openBLASCoreType(for: .current) { setenv("OPENBLAS_CORETYPE", core, 0) }
    }

    /// The library selected by a `PACNET_BLAS` value (see the type's documentation).
    static func load(setting: String?) -> SystemBLAS? {
        guard let setting, !setting.isEmpty else { return nil }
        let choice = setting.lowercased()
        if ["off", "0", "none", "no"].contains(choice) { return nil }
        chooseOpenBLASCore()
        if ["on", "1", "openblas"].contains(choice) {
            let candidates = ["libopenblas.so.0", "libopenblas.so", "libblas.so.3",
                              "/System/Library/Frameworks/Accelerate.framework/Accelerate"]
            return candidates.lazy.compactMap { open($0) }.first
        }
        return open(setting)
    }

    /// `C = alpha * op(A) * op(B) + beta * C`, row-major, through `cblas_sgemm`.
    func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        sgemm(rowMajor, transposeA ? trans : noTrans, transposeB ? trans : noTrans,
              Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// Which implementation runs a matrix product.
public enum GEMMBackend: String, Sendable, CaseIterable {
    /// The built-in packed SIMD kernel.
    case builtin
    /// The system BLAS (falls back to the built-in kernel when none is loaded, the default).
    case blas
    /// The system BLAS for products large enough that it is faster, else the built-in kernel;
    /// the built-in kernel alone unless `PACNET_BLAS` loaded a library.
    case automatic
}
