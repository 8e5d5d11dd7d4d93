import PACEngine
import Testing

@Suite("Seeded xoshiro256** random generator")
struct RandomGeneratorTests {
    @Test func sameSeedSameSequence() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        let xs = (0..<1000).map { _ in a.next() }, ys = (0..<1000).map { _ in b.next() }
        #expect(xs == ys)
        var c = RandomGenerator(seed: 42, stream: "init"), d = RandomGenerator(seed: 42, stream: "init")
        #expect(c.uniformTensor(shape: [10, 10]) == d.uniformTensor(shape: [10, 10]))
        #expect(c.normalTensor(shape: [50]) == d.normalTensor(shape: [50]))
        #expect(c.permutation(100) == d.permutation(100))
    }

    @Test func differentSeedsAndStreamsDiffer() {
        func first(_ rng: RandomGenerator) -> [UInt64] {
            var rng = rng
            return (0..<16).map { _ in rng.next() }
        }
        let base = first(RandomGenerator(seed: 42))
        #expect(base != first(RandomGenerator(seed: 43)))
        #expect(base != first(RandomGenerator(seed: 42, stream: "data")))
        #expect(first(RandomGenerator(seed: 42, stream: "data")) != first(RandomGenerator(seed: 42, stream: "init")))
        #expect(first(RandomGenerator(seed: 42, stream: "a")) != first(RandomGenerator(seed: 42, stream: "b")))
        // Derived streams are deterministic, differ by name, and do not advance the parent.
        let parent = RandomGenerator(seed: 7)
        #expect(first(parent.derived("x")) == first(parent.derived("x")))
        #expect(first(parent.derived("x")) != first(parent.derived("y")))
        #expect(first(parent.derived("x")) != first(parent))
        var p1 = parent, p2 = parent
        _ = p1.derived("z")
        #expect(p1.next() == p2.next())
    }

    /// Independent reference: SplitMix64 seeding of `seed ^ FNV-1a(stream)`, then xoshiro256**.
    @Test func matchesReferenceXoshiro256StarStar() {
        func splitMix(_ state: inout UInt64) -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        // FNV-1a of the empty string is the offset basis, so this seed starts SplitMix64 at 0,
        // whose first outputs are the well-known 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ...
        var mixer: UInt64 = 0
        var s = (0..<4).map { _ in splitMix(&mixer) }
        #expect(s == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC])
        var rng = RandomGenerator(seed: 0xCBF2_9CE4_8422_2325)
        var expected: [UInt64] = []
        for _ in 0..<100 {
            expected.append(rotl(s[1] &* 5, 7) &* 9)
            let t = s[1] << 17
            s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
            s[2] ^= t
            s[3] = rotl(s[3], 45)
        }
        #expect((0..<100).map { _ in rng.next() } == expected)
    }

    @Test func uniformIsInUnitInterval() {
        var rng = RandomGenerator(seed: 1)
        var total = 0.0, low = Float.infinity, high = -Float.infinity
        let n = 100_000
        for _ in 0..<n {
            let u = rng.uniform()
            low = min(low, u); high = max(high, u)
            total += Double(u)
        }
        #expect(low >= 0 && high < 1)
        #expect(low < 0.001 && high > 0.999)
        #expect(abs(total / Double(n) - 0.5) < 0.01)
        let doubles = (0..<10_000).map { _ in rng.uniformDouble() }
        #expect(doubles.allSatisfy { $0 >= 0 && $0 < 1 })
        let ranged = (0..<10_000).map { _ in rng.uniform(-3, 5) }
        #expect(ranged.allSatisfy { $0 >= -3 && $0 <= 5 })
        let t = rng.uniformTensor(shape: [1000], low: 2, high: 4)
        #expect(t.min() >= 2 && t.max() <= 4)
    }

    @Test func normalMomentsOver100kSamples() {
        var rng = RandomGenerator(seed: 2)
        let n = 100_000
        var sum = 0.0, sumSquares = 0.0, beyondTwo = 0
        for _ in 0..<n {
            let x = rng.normal()
            sum += x
            sumSquares += x * x
            if abs(x) > 2 { beyondTwo += 1 }
        }
        #expect(sum.isFinite && sumSquares.isFinite)
        let mean = sum / Double(n), std = (sumSquares / Double(n) - mean * mean).squareRoot()
        #expect(abs(mean) < 0.02)
        #expect(abs(std - 1) < 0.02)
        // P(|x| > 2) = 4.55%.
        #expect(abs(Double(beyondTwo) / Double(n) - 0.0455) < 0.005)
        let shifted = (0..<20_000).map { _ in rng.normal(mean: 5, standardDeviation: 0.5) }
        let shiftedMean = shifted.reduce(0, +) / Double(shifted.count)
        #expect(abs(shiftedMean - 5) < 0.02)
        let t = rng.normalTensor(shape: [20_000], mean: -1, standardDeviation: 2)
        #expect(abs(Double(t.mean().scalar) + 1) < 0.08)
    }

    @Test func permutationIsAPermutation() {
        var rng = RandomGenerator(seed: 3)
        for count in [0, 1, 2, 5, 100, 1000] {
            let p = rng.permutation(count)
            #expect(p.sorted() == Array(0..<count))
        }
        // Not the identity, and different draws differ.
        let a = rng.permutation(50), b = rng.permutation(50)
        #expect(a != Array(0..<50) && a != b)
        // Each of the 6 orders of 3 items appears roughly equally often.
        var counts: [[Int]: Int] = [:]
        for _ in 0..<6000 { counts[rng.permutation(3), default: 0] += 1 }
        #expect(counts.count == 6)
        #expect(counts.values.allSatisfy { $0 > 850 && $0 < 1150 })
    }

    @Test func integerBelowStaysInRange() {
        var rng = RandomGenerator(seed: 4)
        for bound in [1, 2, 3, 7, 10, 1000, Int(Int32.max), Int.max] {
            let draws = (0..<500).map { _ in rng.integer(below: bound) }
            #expect(draws.allSatisfy { $0 >= 0 && $0 < bound }, "bound \(bound)")
        }
        #expect((0..<100).allSatisfy { _ in rng.integer(below: 1) == 0 })
        var histogram = Array(repeating: 0, count: 10)
        for _ in 0..<50_000 { histogram[rng.integer(below: 10)] += 1 }
        #expect(histogram.allSatisfy { $0 > 4500 && $0 < 5500 }, "\(histogram)")
    }
}
