import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Persistent worker threads for the engine's parallel loops (GEMM, im2col, batch-wide passes).
///
/// `DispatchQueue.concurrentPerform` on Linux often ran both halves of a two-way split on one
/// thread, one after the other (measured on the 2-vCPU Intel VM: 6 of 12 consecutive 512³
/// products), and waking a parked thread took 30 µs (median) to 200 µs (p90) there. These
/// workers keep checking for work, yielding the core, for `spinNanoseconds` after each job, so
/// back-to-back kernels find them awake; then they sleep on a condition variable. Iterations are
/// claimed one at a time by whichever thread is free, the caller included; an iteration does the
/// same arithmetic whoever runs it, so results do not depend on scheduling.
final class WorkerPool: @unchecked Sendable {
    /// The process's pool: one worker fewer than the active processors (the caller is the other).
    static let shared = WorkerPool(workers: max(0, min(ProcessInfo.processInfo.activeProcessorCount, 8) - 1))

    /// How long an idle worker keeps checking for work before it sleeps: long enough to stay
    /// awake through the serial stretches of a training step (an optimizer's small parameters, the
    /// loss, bookkeeping), as OpenMP runtimes do. A sleeping worker's core may be handed back to
    /// the hypervisor, and getting it back cost more than the stretch itself (ResNet-18 step on the
    /// 2-vCPU VM: 275 ms median at 200 µs, 257 ms at 5 ms, six alternating runs each).
    static let spinNanoseconds: UInt64 = 5_000_000

    let workers: Int
    /// The published job: generation (bits 32-63), iteration count (16-31), next unclaimed
    /// iteration (0-15). One word, so a claim can never mix two jobs.
    private let word = Atomic<UInt64>(0)
    private let finished = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private var body: ((Int) -> Void)?
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    private init(workers: Int) {
        self.workers = workers
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        for _ in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Calls `body(i)` for every `i` in `0..<iterations`, on the pool's threads and the caller's,
    /// and returns when all are done. Falls back to `concurrentPerform` when the pool is already
    /// running a job (a nested call, or another thread's).
    func perform(iterations: Int, _ body: (Int) -> Void) {
        guard iterations > 1, workers > 0, iterations < 1 << 16,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            if iterations == 1 { body(0) } else if iterations > 1 {
                withoutActuallyEscaping(body) { body in
                    let shared = UncheckedSendable(body)
                    DispatchQueue.concurrentPerform(iterations: iterations) { shared.value($0) }
                }
            }
            return
        }
        withoutActuallyEscaping(body) { body in
            self.body = body
            finished.store(0, ordering: .relaxed)
            let generation = (word.load(ordering: .relaxed) >> 32) &+ 1
            word.store(generation << 32 | UInt64(iterations) << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(&mutex); pthread_cond_broadcast(&condition); pthread_mutex_unlock(&mutex)
            }
            runClaimed(generation: generation)
            while finished.load(ordering: .acquiring) < iterations { spinPause() }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Calls `body(worker, units)` once for each of `workers` workers, concurrently, where `units`
    /// yields the indices `0..<count`, each to exactly one worker, claimed one at a time by
    /// whichever worker asks first. A worker that starts late (a thread being woken) or runs slow
    /// (a busy sibling core) simply claims fewer units instead of holding up the others, and a
    /// worker that finds none left returns at once; `body` sets up per-worker state (buffers)
    /// before its loop over `units`. A unit does the same arithmetic whoever runs it, so results
    /// do not depend on scheduling.
    func perform(workers: Int, units count: Int, _ body: (_ worker: Int, _ units: ClaimedUnits) -> Void) {
        let units = ClaimedUnits(count: count)
        let workers = Swift.min(workers, count)
        if workers <= 1 {
            body(0, units)
        } else {
            perform(iterations: workers) { body($0, units) }
        }
    }

    /// Claims and runs iterations of job `generation` until none is left.
    private func runClaimed(generation: UInt64) {
        var current = word.load(ordering: .acquiring)
        while current >> 32 == generation {
            let count = (current >> 16) & 0xFFFF, index = current & 0xFFFF
            if index >= count { return }
            let (exchanged, original) = word.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                body!(Int(index))
                finished.add(1, ordering: .releasing)
                current = word.load(ordering: .acquiring)
            } else {
                current = original
            }
        }
    }

    private func workerLoop() {
        var seen: UInt64 = 0
        while true {
            var generation = word.load(ordering: .acquiring) >> 32
            if generation == seen {
                let start = DispatchTime.now().uptimeNanoseconds
                while generation == seen && DispatchTime.now().uptimeNanoseconds - start < Self.spinNanoseconds {
                    sched_yield()
                    generation = word.load(ordering: .acquiring) >> 32
                }
                if generation == seen {
                    pthread_mutex_lock(&mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while word.load(ordering: .sequentiallyConsistent) >> 32 == seen {
                        pthread_cond_wait(&condition, &mutex)
                    }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(&mutex)
                    generation = word.load(ordering: .acquiring) >> 32
                }
            }
            seen = generation
            runClaimed(generation: generation)
        }
    }

    @inline(__always) private func spinPause() { sched_yield() }
}

/// The work units of one `WorkerPool.perform(workers:units:)` call: a single-pass sequence of
/// `0..<count` shared by its workers, each index handed to exactly one of them, in increasing
/// order. (The pool's join publishes the units' results, so the claims themselves need no
/// ordering.)
struct ClaimedUnits: Sequence, IteratorProtocol, Sendable {
    private final class Counter: Sendable {
        let next = Atomic<Int>(0)
    }

    let count: Int
    private let counter = Counter()

    init(count: Int) { self.count = count }

    mutating func next() -> Int? {
        let unit = counter.next.add(1, ordering: .relaxed).oldValue
        return unit < count ? unit : nil
    }
}
