import Foundation

/// An in-place iterative radix-2 complex FFT of a fixed power-of-two length, on split real and
/// imaginary buffers: `X[k] = sum_j x[j] * exp(-2 pi i j k / count)` (unnormalized).
///
/// Twiddle factors and the bit-reversal permutation are tabulated once. The loops are `while`
/// loops over raw pointers because this target is unoptimized in debug builds, where `for`-`in`
/// iterators cost far more than the arithmetic.
struct FastFourierTransform: Sendable {
    /// The transform length (a power of two, at least 1).
    let count: Int
    /// `cos(2 pi k / count)` and `sin(2 pi k / count)` for `k < count / 2`.
    private let cosines: [Double]
    private let sines: [Double]
    /// Pairs `(i, j)`, `i < j`, swapped by the bit-reversal permutation, flattened.
    private let swaps: [Int]

    init(count: Int) {
        precondition(count >= 1 && count & (count - 1) == 0, "FastFourierTransform: length must be a power of two")
        self.count = count
        let half = count / 2
        var cosines = [Double](repeating: 0, count: half)
        var sines = [Double](repeating: 0, count: half)
        for k in 0..<half {
            // Angles in [0, pi): exact at k = 0 and accurate to an ulp elsewhere.
            let angle = 2 * Double.pi * Double(k) / Double(count)
            cosines[k] = cos(angle)
            sines[k] = sin(angle)
        }
        if half > 1 && count % 4 == 0 {
            // Make the quarter-turn exact so real inputs keep exactly real symmetric outputs.
            cosines[count / 4] = 0
            sines[count / 4] = 1
        }
        self.cosines = cosines
        self.sines = sines
        var swaps: [Int] = []
        var bits = 0
        while 1 << bits < count { bits += 1 }
        for i in 0..<count {
            var reversed = 0
            var value = i
            for _ in 0..<bits {
                reversed = (reversed << 1) | (value & 1)
                value >>= 1
            }
            if i < reversed { swaps += [i, reversed] }
        }
        self.swaps = swaps
    }

    /// Transforms `(real, imaginary)` (each `count` entries) in place.
    func forward(real: UnsafeMutablePointer<Double>, imaginary: UnsafeMutablePointer<Double>) {
        swaps.withUnsafeBufferPointer { swapBuffer in
            let swap = swapBuffer.baseAddress
            var s = 0
            while s < swapBuffer.count {
                let i = swap![s], j = swap![s + 1]
                let r = real[i], m = imaginary[i]
                real[i] = real[j]; imaginary[i] = imaginary[j]
                real[j] = r; imaginary[j] = m
                s += 2
            }
        }
        cosines.withUnsafeBufferPointer { cosBuffer in
            sines.withUnsafeBufferPointer { sinBuffer in
                guard let cosTable = cosBuffer.baseAddress, let sinTable = sinBuffer.baseAddress else { return }
                var size = 2
                while size <= count {
                    let half = size / 2
                    let stride = count / size
                    var start = 0
                    while start < count {
                        var j = 0
                        while j < half {
                            // w = exp(-2 pi i j / size)
                            let wr = cosTable[j * stride], wi = -sinTable[j * stride]
                            let a = start + j, b = a + half
                            let br = real[b], bi = imaginary[b]
                            let tr = wr * br - wi * bi
                            let ti = wr * bi + wi * br
                            real[b] = real[a] - tr
                            imaginary[b] = imaginary[a] - ti
                            real[a] += tr
                            imaginary[a] += ti
                            j += 1
                        }
                        start += size
                    }
                    size *= 2
                }
            }
        }
    }
}
