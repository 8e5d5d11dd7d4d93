#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread packing buffers for `GEMM`, grown on demand and reused, so a steady stream of
/// products (a training loop) allocates nothing after the first calls.
final class GEMMWorkspace {
    private(set) var packedA: UnsafeMutablePointer<Float>
    private(set) var packedB: UnsafeMutablePointer<Float>
    let edge: UnsafeMutablePointer<Float>
    private var capacityA = 0, capacityB = 0

    private init() {
        packedA = .allocate(capacity: 1)
        packedB = .allocate(capacity: 1)
        edge = .allocate(capacity: GEMMPackedMicroKernel.mr * GEMMPackedMicroKernel.nr)
    }

    deinit {
        packedA.deallocate(); packedB.deallocate(); edge.deallocate()
    }

    /// Ensures room for `a` and `b` floats in the packing buffers.
    func reserve(a: Int, b: Int) {
        if a > capacityA { packedA.deallocate(); packedA = .allocate(capacity: a); capacityA = a }
        if b > capacityB { packedB.deallocate(); packedB = .allocate(capacity: b); capacityB = b }
    }

    /// The calling thread's workspace.
    static var current: GEMMWorkspace {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<GEMMWorkspace>.fromOpaque(existing).takeUnretainedValue()
        }
        let workspace = GEMMWorkspace()
        pthread_setspecific(key, Unmanaged.passRetained(workspace).toOpaque())
        return workspace
    }

    /// The thread-local slot; its destructor frees a thread's workspace when the thread exits.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            #if canImport(Darwin)
            Unmanaged<GEMMWorkspace>.fromOpaque(pointer).release()
            #else
            if let pointer { Unmanaged<GEMMWorkspace>.fromOpaque(pointer).release() }
            #endif
        }
        return key
    }()
}
