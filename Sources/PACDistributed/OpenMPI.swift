#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Open MPI, loaded at run time with `dlopen` (no headers, no link-time dependency): the job's
/// ranks when `mpirun` or `srun` started this process.
///
/// Open MPI's handles are global objects (`ompi_mpi_comm_world`, `ompi_mpi_float`,
/// `ompi_mpi_byte`, `ompi_mpi_int`, `ompi_mpi_op_sum`) whose addresses `dlsym` returns;
/// `MPI_IN_PLACE` is `(void *)1`. The library is opened `RTLD_GLOBAL`, as its own plugins need.
/// Messages longer than `Int32.max` elements are sent in pieces.
public final class OpenMPI: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// The library's file name, as opened.
    public let library: String
    private let api: API

    /// The library names tried, in order (`PACNET_MPI_LIBRARY` first, when set).
    static let candidates = ["libmpi.so.40", "libmpi.so", "libmpi.dylib", "libmpi.40.dylib"]

    /// Opens the first of `libraries` that loads and initializes it (`MPI_Init`); throws naming
    /// what is missing.
    init(libraries names: [String]) throws(DistributedError) {
        var handle: UnsafeMutableRawPointer?
        var opened = ""
        for name in names {
            if let h = dlopen(name, RTLD_NOW | RTLD_GLOBAL) { handle = h; opened = name; break }
        }
        guard let handle else {
            throw DistributedError("this process was started by mpirun (or srun), but no Open MPI library could be loaded (tried \(names.joined(separator: ", "))); "
                + "install Open MPI (Debian: apt-get install openmpi-bin) or set PACNET_MPI_LIBRARY to libmpi's path")
        }
        api = try API(handle: handle, library: opened)
        library = opened
        var initialized: Int32 = 0
        _ = api.initialized(&initialized)
        if initialized == 0 { try api.check(api.initialize(nil, nil), "MPI_Init") }
        var value: Int32 = 0
        try api.check(api.commRank(api.world, &value), "MPI_Comm_rank")
        rank = Int(value)
        try api.check(api.commSize(api.world, &value), "MPI_Comm_size")
        size = Int(value)
    }

    /// Ends MPI (`MPI_Finalize`); every rank must call it before exiting normally.
    public func finalize() {
        var finalized: Int32 = 0
        _ = api.finalized(&finalized)
        if finalized == 0 { _ = api.finalize() }
    }

    public func barrier() throws(DistributedError) { try api.check(api.barrier(api.world), "MPI_Barrier") }

    public func broadcast(_ bytes: inout [UInt8], root: Int) throws(DistributedError) {
        var count = Int64(bytes.count)
        try api.check(withUnsafeMutableBytes(of: &count) { api.bcast($0.baseAddress, 8, api.byte, Int32(root), api.world) }, "MPI_Bcast")
        if rank != root { bytes = [UInt8](repeating: 0, count: Int(count)) }
        for (start, length) in Self.pieces(bytes.count) where length > 0 {
            let code = bytes.withUnsafeMutableBytes { api.bcast($0.baseAddress! + start, Int32(length), api.byte, Int32(root), api.world) }
            try api.check(code, "MPI_Bcast")
        }
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(DistributedError) {
        try allreduce(values, datatype: api.float)
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws(DistributedError) {
        try allreduce(values, datatype: api.double)
    }

    private func allreduce<T: AdditiveArithmetic>(_ values: UnsafeMutableBufferPointer<T>, datatype: API.Handle) throws(DistributedError) {
        guard size > 1, let base = values.baseAddress else { return }
        if size == 2 {
            // Two addends: a + b == b + a, so MPI's own algorithm gives both ranks the same bits.
            for (start, length) in Self.pieces(values.count) {
                try api.check(api.allreduce(UnsafeRawPointer(bitPattern: 1), base + start, Int32(length), datatype, api.sum, api.world), "MPI_Allreduce")
            }
            return
        }
        // More ranks: MPI's reduction order is not specified, so the sum is taken in rank order
        // on rank 0 and broadcast.
        let gathered = try gather(Array(UnsafeRawBufferPointer(values)), root: 0)
        var total = [UInt8]()
        if let gathered {
            var sum = [T](repeating: .zero, count: values.count)
            for part in gathered {
                part.withUnsafeBytes { raw in
                    for (i, v) in raw.bindMemory(to: T.self).enumerated() { sum[i] += v }
                }
            }
            total = sum.withUnsafeBytes { Array($0) }
        }
        try broadcast(&total, root: 0)
        total.withUnsafeBytes { raw in _ = raw.copyBytes(to: UnsafeMutableRawBufferPointer(values)) }
    }

    public func gather(_ bytes: [UInt8], root: Int) throws(DistributedError) -> [[UInt8]]? {
        // The lengths first, then the bytes in pieces of at most Int32.max per rank.
        var length = Int64(bytes.count)
        var lengths = [Int64](repeating: 0, count: rank == root ? size : 0)
        let code = withUnsafeMutableBytes(of: &length) { send in
            lengths.withUnsafeMutableBytes { receive in
                api.gather(send.baseAddress, 8, api.byte, receive.baseAddress, 8, api.byte, Int32(root), api.world)
            }
        }
        try api.check(code, "MPI_Gather")
        // Every rank needs the longest length to take part in the same number of pieces.
        var longest = [UInt8](repeating: 0, count: 8)
        if rank == root { withUnsafeBytes(of: lengths.max() ?? 0) { longest = Array($0) } }
        try broadcast(&longest, root: root)
        let maximum = longest.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
        var results = lengths.map { [UInt8](repeating: 0, count: Int($0)) }
        for (start, pieceLength) in Self.pieces(Int(maximum)) {
            let send = max(0, min(bytes.count - start, pieceLength))
            var counts = [Int32](repeating: 0, count: rank == root ? size : 0)
            var displacements = counts
            var buffer = [UInt8]()
            if rank == root {
                var offset = 0
                for r in 0..<size {
                    let count = max(0, min(Int(lengths[r]) - start, pieceLength))
                    counts[r] = Int32(count); displacements[r] = Int32(offset); offset += count
                }
                buffer = [UInt8](repeating: 0, count: offset)
            }
            let code = bytes.withUnsafeBytes { sendRaw in
                buffer.withUnsafeMutableBytes { receiveRaw in
                    api.gatherv(sendRaw.baseAddress.map { $0 + min(start, bytes.count) }, Int32(send), api.byte,
                                receiveRaw.baseAddress, counts, displacements, api.byte, Int32(root), api.world)
                }
            }
            try api.check(code, "MPI_Gatherv")
            if rank == root {
                for r in 0..<size where counts[r] > 0 {
                    let from = Int(displacements[r])
                    results[r].replaceSubrange(start..<(start + Int(counts[r])), with: buffer[from..<(from + Int(counts[r]))])
                }
            }
        }
        return rank == root ? results : nil
    }

    public func abort(code: Int32) -> Never {
        _ = api.abort(api.world, code)
        exit(code)
    }

    /// `(start, length)` pieces of at most `Int32.max` covering `0..<count` (one empty piece for 0).
    static func pieces(_ count: Int) -> [(Int, Int)] {
        let piece = Int(Int32.max)
        guard count > piece else { return [(0, count)] }
        return stride(from: 0, to: count, by: piece).map { ($0, min(piece, count - $0)) }
    }

    /// The entry points and handles, found with `dlsym`.
    private struct API {
        typealias Handle = UnsafeMutableRawPointer

        let initialize: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
        let initialized: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
        let finalize: @convention(c) () -> Int32
        let finalized: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
        let commRank: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
        let commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
        let barrier: @convention(c) (Handle) -> Int32
        let bcast: @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
        let allreduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
        let gather: @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
        let gatherv: @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, UnsafePointer<Int32>?,
                                     UnsafePointer<Int32>?, Handle, Int32, Handle) -> Int32
        let abort: @convention(c) (Handle, Int32) -> Int32
        let world, byte, float, double, sum: Handle

        init(handle: UnsafeMutableRawPointer, library: String) throws(DistributedError) {
            func symbol(_ name: String) throws(DistributedError) -> UnsafeMutableRawPointer {
                guard let address = dlsym(handle, name) else {
                    throw DistributedError("\(library) has no symbol \(name): pacnet needs Open MPI (libmpi.so.40), not another MPI")
                }
                return address
            }
            func function<F>(_ name: String, _: F.Type) throws(DistributedError) -> F { unsafeBitCast(try symbol(name), to: F.self) }
            initialize = try function("MPI_Init", type(of: initialize))
            initialized = try function("MPI_Initialized", type(of: initialized))
            finalize = try function("MPI_Finalize", type(of: finalize))
            finalized = try function("MPI_Finalized", type(of: finalized))
            commRank = try function("MPI_Comm_rank", type(of: commRank))
            commSize = try function("MPI_Comm_size", type(of: commSize))
            barrier = try function("MPI_Barrier", type(of: barrier))
            bcast = try function("MPI_Bcast", type(of: bcast))
            allreduce = try function("MPI_Allreduce", type(of: allreduce))
            gather = try function("MPI_Gather", type(of: gather))
            gatherv = try function("MPI_Gatherv", type(of: gatherv))
            abort = try function("MPI_Abort", type(of: abort))
            world = try symbol("ompi_mpi_comm_world")
            byte = try symbol("ompi_mpi_byte")
            float = try symbol("ompi_mpi_float")
            double = try symbol("ompi_mpi_double")
            sum = try symbol("ompi_mpi_op_sum")
        }

        /// MPI's default error handler aborts the job on failure; a non-zero code is still checked.
        func check(_ code: Int32, _ call: String) throws(DistributedError) {
            guard code == 0 else { throw DistributedError("\(call) failed with MPI error code \(code)") }
        }
    }
}
