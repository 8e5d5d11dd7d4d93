import Dispatch
import Foundation

/// Runs independent jobs on every core: each job sees only its own inputs and writes only its
/// own result, so results do not depend on the number of workers or the order jobs finish in.
///
/// Progress: with one worker the jobs run on the caller's thread, each under its own stage, and
/// report every training step as usual. With several, they run on worker threads (task-locals
/// such as the progress observer are not rebound there: the caller's thread only waits), and the
/// caller's observer hears of each finished job as one completed step of its stage.
public enum IndependentJobs {
    /// `body(i)` for every `i` in `0..<count`, on up to `workers` threads; results in job order.
    /// `stage(i)` names job `i` for progress displays.
    public static func map<R>(_ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                              stage: @escaping (Int) -> TrainingProgress.Stage, _ body: @escaping (Int) -> R) -> [R] {
        let threads = max(1, min(workers, count))
        if threads == 1 {
            // On the caller's thread, in order: inside data-parallel training every rank runs the
            // same jobs in the same order, so their training is data-parallel too. Worker threads
            // (below) do not see the caller's task-locals and train locally, each rank alike.
            return (0..<count).map { index in TrainingProgress.stage(stage(index)) { body(index) } }
        }
        let slots = Slots<R>(count: count)
        let job = Job(body: body, stage: stage, observer: TrainingProgress.observer)
        // Threads of their own, not a shared queue's: a caller that is itself a queue worker (a
        // benchmark seed) waits here, and must not wait for a pool it occupies.
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while let index = slots.claim() {
                    // The job's name, at the position of the jobs finished so far (they finish out of
                    // order); reported under the lock, so the reports count up in order.
                    slots.set(index, job.body(index)) { finished in
                        var stage = job.stage(index)
                        stage.part = finished - 1
                        job.observer?(stage, StepReport(epoch: 1, epochs: 1, step: 1, stepsPerEpoch: 1, loss: .nan))
                    }
                }
            }
            thread.stackSize = 8 << 20  // the main thread's, for the kernels' stack buffers
            thread.start()
        }
        group.wait()
        return slots.results()
    }

    /// The job function, shared by the workers. Sound because jobs are independent by contract:
    /// they only read what they share (a source network, data) and copy what they train.
    private struct Job<R>: @unchecked Sendable {
        let body: (Int) -> R
        let stage: (Int) -> TrainingProgress.Stage
        let observer: TrainingProgress.Observer?
    }

    /// Claimed indices and finished results, under a lock.
    private final class Slots<R>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var finished = 0
        private var values: [R?]

        init(count: Int) { values = Array(repeating: nil, count: count) }

        func claim() -> Int? {
            lock.withLock {
                guard next < values.count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        /// Stores a result and calls `report` with how many jobs have finished, under the lock.
        func set(_ index: Int, _ value: R, report: (Int) -> Void) {
            lock.withLock {
                values[index] = value
                finished += 1
                report(finished)
            }
        }

        func results() -> [R] { lock.withLock { values.map { $0! } } }
    }
}
