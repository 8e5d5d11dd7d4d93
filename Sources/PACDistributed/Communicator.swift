/// The collective operations pacnet distributes work with: the ranks of one job (started by
/// `mpirun` or Slurm's `srun`), or a single process. Every rank calls every collective in the
/// same order; a collective returns when its part is done on this rank.
public protocol Communicator: AnyObject, Sendable {
    /// This process's index, `0..<size`; rank 0 writes the outputs.
    var rank: Int { get }
    /// The number of processes of the job.
    var size: Int { get }
    /// Returns once every rank has called it.
    func barrier() throws(DistributedError)
    /// Replaces `bytes` on every rank by root's (any length; the other ranks' input is ignored).
    func broadcast(_ bytes: inout [UInt8], root: Int) throws(DistributedError)
    /// Replaces `values` on every rank by the elementwise sum over the ranks (same count on all).
    /// The sum is taken in rank order, so every rank gets the same bits.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws(DistributedError)
    /// `allreduceSum` of doubles (statistics that need the precision).
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws(DistributedError)
    /// Root receives every rank's `bytes` (any length each), in rank order; other ranks receive nil.
    func gather(_ bytes: [UInt8], root: Int) throws(DistributedError) -> [[UInt8]]?
    /// Stops every rank of the job with `code` (after this rank's error was reported).
    func abort(code: Int32) -> Never
}

extension Communicator {
    /// Whether this rank writes the job's outputs.
    public var isRoot: Bool { rank == 0 }

    /// `allreduceSum` of an array.
    public func allreduceSum(_ values: inout [Float]) throws(DistributedError) {
        try values.withUnsafeMutableBufferPointer { (buffer) throws(DistributedError) in try allreduceSum(buffer) }
    }

    /// `allreduceSum` of an array of doubles.
    public func allreduceSum(_ values: inout [Double]) throws(DistributedError) {
        try values.withUnsafeMutableBufferPointer { (buffer) throws(DistributedError) in try allreduceSum(buffer) }
    }

    /// Every rank's `bytes`, in rank order, on every rank (a gather to rank 0 and a broadcast).
    public func allGather(_ bytes: [UInt8]) throws(DistributedError) -> [[UInt8]] {
        let gathered = try gather(bytes, root: 0)
        var packed = gathered.map(Self.pack) ?? []
        try broadcast(&packed, root: 0)
        return Self.unpack(packed)
    }

    /// Length-prefixed concatenation (8-byte little-endian lengths).
    static func pack(_ parts: [[UInt8]]) -> [UInt8] {
        var result: [UInt8] = []
        for part in parts {
            withUnsafeBytes(of: UInt64(part.count).littleEndian) { result += $0 }
            result += part
        }
        return result
    }

    static func unpack(_ packed: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = [], offset = 0
        while offset + 8 <= packed.count {
            var length: UInt64 = 0
            for i in 0..<8 { length |= UInt64(packed[offset + i]) << (8 * UInt64(i)) }
            offset += 8
            let end = offset + Int(length)
            parts.append(Array(packed[offset..<end]))
            offset = end
        }
        return parts
    }
}

/// A failure of the distributed layer: the MPI library, a collective, or another rank.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// Whether every rank raised this error together (a failure they exchanged), so one report
    /// suffices and no rank needs to stop the others.
    public let isJobWide: Bool

    public init(_ description: String, jobWide: Bool = false) {
        self.description = description
        self.isJobWide = jobWide
    }
}
