@testable import PACEngine
import Foundation
import Synchronization
import Testing

@Suite("WorkerPool")
struct WorkerPoolTests {
    @Test("every iteration runs exactly once", arguments: [0, 1, 2, 3, 17, 1000])
    func everyIterationOnce(iterations: Int) {
        for _ in 0..<20 {
            let visits = Mutex([Int](repeating: 0, count: iterations))
            WorkerPool.shared.perform(iterations: iterations) { i in visits.withLock { $0[i] += 1 } }
            #expect(visits.withLock { $0 } == [Int](repeating: 1, count: iterations))
        }
    }

    /// A job that starts another (a kernel inside a kernel) or two threads' jobs at once: the
    /// pool runs one, the other falls back to Dispatch, and both finish with every iteration.
    @Test func nestedAndConcurrentJobsComplete() {
        let total = Mutex(0)
        WorkerPool.shared.perform(iterations: 4) { _ in
            WorkerPool.shared.perform(iterations: 5) { _ in total.withLock { $0 += 1 } }
        }
        #expect(total.withLock { $0 } == 20)

        let counts = Mutex([0, 0])
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            for _ in 0..<200 {
                WorkerPool.shared.perform(iterations: 3) { _ in counts.withLock { $0[caller] += 1 } }
            }
        }
        #expect(counts.withLock { $0 } == [600, 600])
    }

    /// Claimed units: every unit goes to exactly one worker, whatever the worker count, and a
    /// worker that is held up leaves its share to the others.
    @Test("every unit is claimed exactly once", arguments: [(1, 0), (1, 5), (2, 1), (2, 33), (3, 7), (8, 1000)])
    func everyUnitOnce(workers: Int, units: Int) {
        for _ in 0..<20 {
            let visits = Mutex([Int](repeating: 0, count: units))
            WorkerPool.shared.perform(workers: workers, units: units) { _, claimed in
                for unit in claimed { visits.withLock { $0[unit] += 1 } }
            }
            #expect(visits.withLock { $0 } == [Int](repeating: 1, count: units))
        }
        let held = Mutex([Int: Int]())
        WorkerPool.shared.perform(workers: 2, units: 40) { worker, claimed in
            for unit in claimed {
                if unit == 0 { Thread.sleep(forTimeInterval: 0.05) }
                held.withLock { $0[worker, default: 0] += 1 }
            }
        }
        // The worker that claimed unit 0 slept for 50 ms: the other took nearly all the rest.
        #expect(held.withLock { $0.values.reduce(0, +) } == 40)
        #expect(held.withLock { $0.values.max()! } >= 30)
    }

    /// Jobs arriving after the workers went to sleep still wake them and complete.
    @Test func jobsAfterIdlePeriodsComplete() {
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.002)
            let done = Mutex(0)
            WorkerPool.shared.perform(iterations: 8) { _ in done.withLock { $0 += 1 } }
            #expect(done.withLock { $0 } == 8)
        }
    }
}
