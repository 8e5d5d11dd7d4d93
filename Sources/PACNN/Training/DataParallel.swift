import Foundation
import PACDistributed

/// Data-parallel training over the ranks of a job: inside `training(on:_:)`, `Trainer.fit` splits
/// every batch between the ranks, sums the gradients with one allreduce before the optimizer's
/// step (so every rank takes the same step and holds the same bits), and batch normalization
/// normalizes with the whole batch's statistics (`Variable.batchNormTrainingSynchronized`).
/// Update masks act in the one optimizer step exactly as on one process.
///
/// The result for a given number of ranks is deterministic; against one process it differs only
/// by rounding (the batch's sums are added in another order). Jobs of `IndependentJobs` on one
/// worker run on the caller's thread and are data-parallel too; on several workers they train
/// locally (worker threads do not inherit task-locals), every rank alike.
public enum DataParallel {
    /// The communicator of the current data-parallel training, if any.
    @TaskLocal static var active: (any Communicator)?

    /// Runs `body` with data-parallel training over `world` (plain training for one rank).
    public static func training<R, E: Error>(on world: any Communicator, _ body: () throws(E) -> R) throws(E) -> R {
        try bind(world.size > 1 ? world : nil, body)
    }

    /// Runs `body` without data parallelism (for jobs that every rank runs alike).
    static func local<R>(_ body: () -> R) -> R {
        active == nil ? body() : $active.withValue(nil, operation: body)
    }

    /// Rank `rank`'s contiguous part of a batch of `count` rows: the first `count % size` ranks
    /// take one row more; rank 0 is never empty.
    static func share(of count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + Swift.min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// `reduce` for the synchronized statistics: a failed collective stops the job with its error.
    static func allreduce(_ values: inout [Double], on world: any Communicator) {
        stopOnFailure(world) { () throws(DistributedError) in try world.allreduceSum(&values) }
    }

    /// `allreduce` for gradients.
    static func allreduce(_ values: inout [Float], on world: any Communicator) {
        stopOnFailure(world) { () throws(DistributedError) in try world.allreduceSum(&values) }
    }

    private static func stopOnFailure(_ world: any Communicator, _ body: () throws(DistributedError) -> Void) {
        do { try body() } catch {
            FileHandle.standardError.write(Data("rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(code: 1)
        }
    }

    private static func bind<R, E: Error>(_ value: (any Communicator)?, _ body: () throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = $active.withValue(value) {
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
