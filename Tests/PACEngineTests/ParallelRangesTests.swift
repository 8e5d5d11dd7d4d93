@testable import PACEngine
import Synchronization
import Testing

@Suite("ParallelRanges and the relu kernels")
struct ParallelRangesTests {
    @Test("every item is visited exactly once", arguments: [0, 1, 5, 1000])
    func coversEveryItemOnce(items: Int) {
        for threads in [1, 2, 3, 7] {
            let visits = Mutex([Int](repeating: 0, count: items))
            ParallelRanges.forEach(items: items, scalarsPerItem: ParallelRanges.threshold, threads: threads) { range in
                visits.withLock { counts in for i in range { counts[i] += 1 } }
            }
            #expect(visits.withLock { $0 } == [Int](repeating: 1, count: items), "\(items) items, \(threads) threads")
        }
    }

    @Test func reluMatchesTheScalarDefinition() {
        // Large enough to be split over threads; special values at both ends and in the middle.
        var rng = RandomGenerator(seed: 41)
        var x = rng.uniformTensor(shape: [3, 100_003], low: -1, high: 1).scalars
        for (i, v) in [Float.nan, 0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude].enumerated() {
            x[i] = v; x[x.count - 1 - i] = v; x[150_000 + i] = v
        }
        let g = rng.uniformTensor(shape: [3, 100_003], low: -1, high: 1)
        let input = Tensor(shape: [3, 100_003], scalars: x)
        let y = Activation.relu(input)
        let dx = Activation.reluBackward(g, output: y)
        let expectedY = x.map { $0 > 0 ? $0 : 0 }
        #expect(y.scalars.map(\.bitPattern) == expectedY.map(\.bitPattern))
        #expect(dx.scalars.map(\.bitPattern) == zip(g.scalars, expectedY).map { $1 > 0 ? $0 : 0 }.map(\.bitPattern))
    }

    @Test func largeSumsMatchTheScalarDefinition() {
        var rng = RandomGenerator(seed: 42)
        let a = rng.uniformTensor(shape: [2, 150_001], low: -1, high: 1), b = rng.uniformTensor(shape: [2, 150_001], low: -1, high: 1)
        let expected = zip(a.scalars, b.scalars).map { ($0 + $1).bitPattern }
        #expect((a + b).scalars.map(\.bitPattern) == expected)
        var accumulated = a
        accumulated.add(b)
        #expect(accumulated.scalars.map(\.bitPattern) == expected)
    }
}
