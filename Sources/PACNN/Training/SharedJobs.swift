import Foundation
import PACDistributed

/// Independent jobs dealt over the ranks of a job (cross-validation's candidate-fold trainings):
/// inside `sharing(over:_:)`, `map` runs job `i` on rank `i % size` (on that rank's workers) and
/// every rank receives every result, in job order. Every rank must make the same `map` calls in
/// the same order, as ranks running the same cell do. Results are bit-identical to
/// `IndependentJobs.map`'s: each job is computed by exactly one rank from its own inputs.
public enum SharedJobs {
    @TaskLocal static var world: (any Communicator)?

    /// Runs `body` with `map`'s jobs dealt over `world`'s ranks (plain `IndependentJobs` for one).
    public static func sharing<R, E: Error>(over world: any Communicator, _ body: () throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = $world.withValue(world.size > 1 ? world : nil) {
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// `IndependentJobs.map`, its jobs dealt over the ranks when sharing. A job does not share
    /// the jobs it starts itself.
    public static func map<R: Codable>(_ count: Int, workers: Int, stage: @escaping (Int) -> TrainingProgress.Stage,
                                       _ body: @escaping (Int) -> R) -> [R] {
        guard let world, count > 0 else { return IndependentJobs.map(count, workers: workers, stage: stage, body) }
        let mine = Array(stride(from: world.rank, to: count, by: world.size))
        let results = IndependentJobs.map(mine.count, workers: workers, stage: { stage(mine[$0]) }) { index in
            $world.withValue(nil) { body(mine[index]) }
        }
        do {
            let parts = try world.allGather(results)
            return (0..<count).map { parts[$0 % world.size][$0 / world.size] }
        } catch {
            FileHandle.standardError.write(Data("rank \(world.rank) of \(world.size): sharing jobs failed: \(error)\n".utf8))
            world.abort(code: 1)
        }
    }
}
