import Foundation
import PACDistributed

/// A job of `size` ranks as threads of this process, for testing distributed code without
/// MPI: every collective is an exchange of every rank's bytes through shared memory, and sums
/// are taken in rank order (as `OpenMPI` does for more than two ranks).
public final class ThreadCluster: @unchecked Sendable {
    public let size: Int
    private let condition = NSCondition()
    private var deposits: [[UInt8]?]
    private var arrived = 0
    private var readers = 0
    private var generation = 0
    private var published: [[UInt8]] = []

    public init(size: Int) {
        self.size = size
        deposits = Array(repeating: nil, count: size)
    }

    /// Runs `body` once per rank, each on its own thread, and returns the results by rank.
    public static func run<R: Sendable>(size: Int, _ body: @escaping @Sendable (any Communicator) throws -> R) throws -> [R] {
        let cluster = ThreadCluster(size: size)
        let results = Results<R>(count: size)
        let threads = (0..<size).map { rank in
            Thread {
                do { results.set(rank, .success(try body(Rank(cluster: cluster, rank: rank)))) } catch { results.set(rank, .failure(error)) }
            }
        }
        for thread in threads { thread.stackSize = 16 << 20; thread.start() }
        return try results.wait()
    }

    /// Every rank's bytes, in rank order, once all ranks have called it.
    func exchange(_ bytes: [UInt8], rank: Int) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        // The previous exchange's results are still being read.
        while readers > 0 { condition.wait() }
        deposits[rank] = bytes
        arrived += 1
        let myGeneration = generation
        if arrived == size {
            published = deposits.map { $0! }
            deposits = Array(repeating: nil, count: size)
            arrived = 0
            readers = size
            generation += 1
            condition.broadcast()
        } else {
            while generation == myGeneration { condition.wait() }
        }
        let result = published
        readers -= 1
        if readers == 0 { condition.broadcast() }
        return result
    }

    final class Rank: Communicator, @unchecked Sendable {
        let cluster: ThreadCluster
        let rank: Int
        var size: Int { cluster.size }

        init(cluster: ThreadCluster, rank: Int) {
            self.cluster = cluster
            self.rank = rank
        }

        func barrier() { _ = cluster.exchange([], rank: rank) }

        func broadcast(_ bytes: inout [UInt8], root: Int) { bytes = cluster.exchange(bytes, rank: rank)[root] }

        func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) { sum(values) }

        func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) { sum(values) }

        private func sum<T: AdditiveArithmetic>(_ values: UnsafeMutableBufferPointer<T>) {
            let parts = cluster.exchange(Array(UnsafeRawBufferPointer(values)), rank: rank)
            for i in values.indices { values[i] = .zero }
            for part in parts {
                part.withUnsafeBytes { raw in
                    for (i, v) in raw.bindMemory(to: T.self).enumerated() { values[i] += v }
                }
            }
        }

        func gather(_ bytes: [UInt8], root: Int) -> [[UInt8]]? {
            let parts = cluster.exchange(bytes, rank: rank)
            return rank == root ? parts : nil
        }

        func abort(code: Int32) -> Never { fatalError("rank \(rank) aborted with \(code)") }
    }

    private final class Results<R>: @unchecked Sendable {
        private let condition = NSCondition()
        private var values: [Result<R, Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<R, Error>) {
            condition.lock(); values[index] = value; condition.broadcast(); condition.unlock()
        }
        func wait() throws -> [R] {
            condition.lock()
            while values.contains(where: { $0 == nil }) { condition.wait() }
            let all = values.map { $0! }
            condition.unlock()
            return try all.map { try $0.get() }
        }
    }
}
