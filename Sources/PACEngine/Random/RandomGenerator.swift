import Foundation

/// The project's deterministic pseudo-random generator (xoshiro256**, seeded by SplitMix64).
///
/// A seed (and optionally a named stream) gives the same sequence on every platform and run,
/// independent of Swift's per-process hashing. Named streams let each consumer — a network's
/// initialization, a data set, a training loop's shuffling — draw from its own sequence, so
/// adding or skipping one step of an experiment never shifts the numbers another step sees.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator for `seed`, optionally on a named independent `stream`.
    public init(seed: UInt64, stream: String = "") {
        var mixer = seed ^ RandomGenerator.fnv1a(stream)
        s0 = RandomGenerator.splitMix(&mixer)
        s1 = RandomGenerator.splitMix(&mixer)
        s2 = RandomGenerator.splitMix(&mixer)
        s3 = RandomGenerator.splitMix(&mixer)
    }

    /// A new generator on a named sub-stream derived from this generator's seed material.
    public func derived(_ stream: String) -> RandomGenerator {
        var copy = self
        return RandomGenerator(seed: copy.next() ^ RandomGenerator.fnv1a(stream))
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform `Float` in `[0, 1)` with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform `Float` in `[low, high)`; rounding can never return `high`.
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        let value = low + (high - low) * uniform()
        return value < high ? value : high.nextDown
    }

    /// A normal sample with the given mean and standard deviation (Box–Muller in `Double`).
    public mutating func normal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        let u1 = 1 - uniformDouble() // (0, 1]: log is finite
        let u2 = uniformDouble()
        return mean + standardDeviation * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        if count < 2 { return p }
        for i in stride(from: count - 1, to: 0, by: -1) {
            p.swapAt(i, integer(below: i + 1))
        }
        return p
    }

    /// A tensor of uniform samples in `[low, high)`.
    public mutating func uniformTensor(shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        Tensor(shape: shape, generating: { _ in self.uniform(low, high) })
    }

    /// A tensor of normal samples.
    public mutating func normalTensor(shape: [Int], mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
        Tensor(shape: shape, generating: { _ in Float(self.normal(mean: Double(mean), standardDeviation: Double(standardDeviation))) })
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a, a stable string hash (Swift's `hashValue` changes between processes).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}
