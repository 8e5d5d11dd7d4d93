import Foundation

/// Hands out seed indices to workers and releases finished seeds' records in order.
final class OrderedCollector<Record>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var flushed = 0
    private var finished: [[Record]?]
    private var all: [Record] = []
    private var error: Error?
    private let onRecord: (Record) -> Void

    init(count: Int, onRecord: @escaping (Record) -> Void) {
        finished = Array(repeating: nil, count: count)
        self.onRecord = onRecord
    }

    func claim() -> Int? {
        lock.withLock {
            guard error == nil, next < finished.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func finish(_ index: Int, _ records: [Record]) {
        lock.withLock {
            finished[index] = records
            while flushed < finished.count, let ready = finished[flushed] {
                ready.forEach(onRecord)
                all += ready
                flushed += 1
            }
        }
    }

    func fail(_ error: Error) { lock.withLock { if self.error == nil { self.error = error } } }

    func result() throws -> [Record] {
        try lock.withLock {
            if let error { throw error }
            return all
        }
    }
}
