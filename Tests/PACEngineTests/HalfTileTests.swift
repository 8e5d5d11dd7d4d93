@testable import PACEngine
import Testing

/// The 6 x 16 tiles machines without AVX-512 run (`GEMMMicroKernel.halfTiles`) give the full
/// tiles' results bit for bit: GEMM's packed and in-place kernels at every edge, and the
/// convolution paths built on them (in-place B reads, the transposed weight gradient).
@Suite struct HalfTileTests {
    /// `body` with the full tiles and with the half tiles (one test sets the switch, so no other
    /// test's run can interleave with these two).
    private func bothTiles<T>(_ body: () -> T) -> (full: T, half: T) {
        let saved = GEMMMicroKernel.halfTiles
        defer { GEMMMicroKernel.halfTiles = saved }
        GEMMMicroKernel.halfTiles = false
        let full = body()
        GEMMMicroKernel.halfTiles = true
        return (full, body())
    }

    private func differing(_ a: [Float], _ b: [Float]) -> Int {
        zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count + abs(a.count - b.count)
    }

    @Test func halfTilesGiveTheFullTilesBits() {
        let cases = [
            GEMMCase(m: 7, n: 45, k: 33),  // read in place, a 13-column edge panel
            GEMMCase(m: 13, n: 100, k: 300, beta: 0.5, padC: 2),  // in place, depth over one kc block
            GEMMCase(m: 245, n: 75, k: 520, transposeB: true, alpha: 1.5),  // packed, 11-column edge
            GEMMCase(m: 401, n: 77, k: 530, transposeA: true, beta: 0.5),  // shared packed B, 5-row edge
            GEMMCase(m: 64, n: 1100, k: 200, transposeA: true, transposeB: true),  // 4 rows after five 12-row panels
        ]
        for problem in cases {
            let buffers = problem.makeBuffers(seed: 9)
            let (full, half) = bothTiles { problem.run(buffers, threads: 2) }
            #expect(differing(full, half) == 0, "\(problem)")
            problem.verify(half, buffers)
        }
        // Convolutions: stride 1 onto 16-wide rows (B read in place), stride 2 (packed panels),
        // and the weight gradients (transposed, and batched for 2 x 2 planes).
        for (shape, outChannels, stride) in [([2, 8, 16, 16], 20, 1), ([3, 5, 16, 16], 64, 2), ([4, 16, 4, 4], 40, 2)] {
            var rng = RandomGenerator(seed: 10, stream: "\(shape)")
            let x = rng.uniformTensor(shape: shape, low: -1, high: 1)
            let w = rng.uniformTensor(shape: [outChannels, shape[1], 3, 3], low: -0.5, high: 0.5)
            let (full, half) = bothTiles { () -> [Tensor] in
                let xv = Variable(x, requiresGrad: true), wv = Variable(w, requiresGrad: true)
                let y = Variable.conv2d(xv, weight: wv, bias: nil, stride: stride, padding: 1)
                y.backward(seed: y.value)
                return [y.value, xv.grad!, wv.grad!]
            }
            for (a, b) in zip(full, half) {
                #expect(differing(a.scalars, b.scalars) == 0, "\(shape) -> \(outChannels), stride \(stride)")
            }
        }
    }
}
