/// A self-test of the collectives on a live job: every rank must run it. Each check compares
/// against values every rank can compute alone, so a wrong result names the collective.
public enum ClusterCheck {
    public static func run(on world: any Communicator, floats: Int) throws(DistributedError) {
        let (rank, size) = (world.rank, world.size)
        try world.barrier()
        // Broadcast: a root-dependent length, from every root.
        for root in 0..<size {
            var bytes = rank == root ? (0..<(root + 3)).map { UInt8(truncatingIfNeeded: $0 * 7 + root) } : [9]
            try world.broadcast(&bytes, root: root)
            guard bytes == (0..<(root + 3)).map({ UInt8(truncatingIfNeeded: $0 * 7 + root) }) else {
                throw DistributedError("broadcast from rank \(root) delivered \(bytes.prefix(8)) on rank \(rank)")
            }
        }
        // Allreduce: small integers, so every order of summation gives the exact total.
        var values = (0..<floats).map { Float(($0 % 1000) * (rank + 1)) }
        try world.allreduceSum(&values)
        let factor = Float(size * (size + 1) / 2)
        if let wrong = values.indices.first(where: { values[$0] != Float($0 % 1000) * factor }) {
            throw DistributedError("allreduce: element \(wrong) is \(values[wrong]) on rank \(rank), expected \(Float(wrong % 1000) * factor)")
        }
        // Gather: each rank a different length (rank 0 none at all).
        let mine = (0..<(rank * 5)).map { UInt8(truncatingIfNeeded: rank &* 31 &+ $0) }
        let gathered = try world.gather(mine, root: 0)
        if world.isRoot {
            let expected = (0..<size).map { r in (0..<(r * 5)).map { UInt8(truncatingIfNeeded: r &* 31 &+ $0) } }
            guard gathered == expected else { throw DistributedError("gather: rank 0 received \(gathered?.map(\.count) ?? []) bytes per rank") }
        }
        try world.barrier()
    }

    /// The median wall time of 9 allreduces of `floats` floats (after one warm-up), as every
    /// rank saw it; the same on every rank (rank 0's, broadcast).
    public static func allreduceSeconds(on world: any Communicator, floats: Int) throws(DistributedError) -> Double {
        var values = [Float](repeating: 1, count: floats)
        try world.allreduceSum(&values)
        var times: [Double] = []
        for _ in 0..<9 {
            try world.barrier()
            let start = DispatchTime.now().uptimeNanoseconds
            try world.allreduceSum(&values)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[4]
    }
}

import Dispatch
