import PACEngine
import PACTestSupport
import Testing

/// A pooling configuration on an NCHW input.
struct PoolingCase: Sendable, CustomTestStringConvertible {
    var shape: [Int]
    var kernel: Int, stride: Int, padding = 0

    var testDescription: String { "x\(shape) k\(kernel) s\(stride) p\(padding)" }
    var outputHeight: Int { (shape[2] + 2 * padding - kernel) / stride + 1 }
    var outputWidth: Int { (shape[3] + 2 * padding - kernel) / stride + 1 }

    /// Distinct values at least 0.05 apart in random order, so no window has a (near) tie that a
    /// finite-difference step of 0.01 could flip.
    func distinctInput(seed: UInt64 = 31) -> Tensor {
        var rng = RandomGenerator(seed: seed, stream: testDescription)
        let count = shape.reduce(1, *)
        let order = rng.permutation(count)
        return Tensor(shape: shape, scalars: order.map { Float($0) * 0.05 - Float(count) * 0.025 })
    }

    /// Reference pooling in `Double`: the max (first in scan order) or the mean of each window.
    func reference(_ x: Tensor, max: Bool) -> (values: [Double], winners: [Int]) {
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let xs = x.scalars.map(Double.init)
        var values: [Double] = [], winners: [Int] = []
        for plane in 0..<(n * c) {
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    var best = -Double.infinity, winner = -1, total = 0.0
                    for ki in 0..<kernel {
                        for kj in 0..<kernel {
                            let ih = oh * stride - padding + ki, iw = ow * stride - padding + kj
                            guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                            let index = (plane * h + ih) * w + iw
                            total += xs[index]
                            if xs[index] > best { best = xs[index]; winner = index }
                        }
                    }
                    values.append(max ? best : total / Double(kernel * kernel))
                    winners.append(winner)
                }
            }
        }
        return (values, winners)
    }
}

@Suite("Pooling ops (NCHW)")
struct PoolingTests {
    static let maxCases: [PoolingCase] = [
        PoolingCase(shape: [2, 3, 4, 4], kernel: 2, stride: 2),
        PoolingCase(shape: [2, 2, 5, 7], kernel: 2, stride: 2),
        PoolingCase(shape: [1, 3, 5, 5], kernel: 3, stride: 1),
        PoolingCase(shape: [2, 2, 6, 5], kernel: 3, stride: 2, padding: 1),
        PoolingCase(shape: [2, 2, 5, 5], kernel: 2, stride: 1),
        PoolingCase(shape: [1, 2, 7, 6], kernel: 3, stride: 3, padding: 1),
    ]

    @Test("maxPool2d: forward against a reference, finite-difference gradient", arguments: maxCases)
    func maxPool(_ spec: PoolingCase) {
        let x = spec.distinctInput()
        let y = Variable(x).maxPool2d(kernel: spec.kernel, stride: spec.stride, padding: spec.padding)
        #expect(y.shape == [spec.shape[0], spec.shape[1], spec.outputHeight, spec.outputWidth])
        #expect(y.value.scalars.map(Double.init) == spec.reference(x, max: true).values)
        GradientCheck.expectMatch([x], Comment(rawValue: spec.testDescription)) { v in
            v[0].maxPool2d(kernel: spec.kernel, stride: spec.stride, padding: spec.padding)
        }
    }

    @Test func maxPoolByHand() {
        let x = Variable(Tensor(shape: [1, 1, 4, 4], scalars: [
            1, 5, 2, 0,
            3, 4, 8, 1,
            -1, -2, 0, 6,
            -3, -4, 7, 6,
        ]), requiresGrad: true)
        let y = x.maxPool2d(kernel: 2, stride: 2)
        #expect(y.value == Tensor(shape: [1, 1, 2, 2], scalars: [5, 8, -1, 7]))
        y.backward(seed: Tensor(shape: [1, 1, 2, 2], scalars: [10, 20, 30, 40]))
        #expect(x.grad == Tensor(shape: [1, 1, 4, 4], scalars: [
            0, 10, 0, 0,
            0, 0, 20, 0,
            30, 0, 0, 0,
            0, 0, 40, 0,
        ]))
    }

    @Test func maxPoolTiesGoToTheFirstInScanOrder() {
        // Every window is a tie: the gradient goes to each window's top-left entry.
        let x = Variable(Tensor(repeating: 2, shape: [1, 1, 4, 4]), requiresGrad: true)
        x.maxPool2d(kernel: 2).sum().backward()
        #expect(x.grad == Tensor(shape: [1, 1, 4, 4], scalars: [
            1, 0, 1, 0,
            0, 0, 0, 0,
            1, 0, 1, 0,
            0, 0, 0, 0,
        ]))
        // A tie between a later row and a later column: row-major scan picks (0, 1) over (1, 0).
        let y = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [0, 3, 3, 1]), requiresGrad: true)
        y.maxPool2d(kernel: 2).sum().backward()
        #expect(y.grad == Tensor(shape: [1, 1, 2, 2], scalars: [0, 1, 0, 0]))
    }

    @Test func maxPoolOverlappingWindowsAccumulate() {
        // 3x3 windows with stride 1 over a 4x4 plane whose maximum (9) is in all four windows.
        let x = Variable(Tensor(shape: [1, 1, 4, 4], scalars: [
            0, 0, 0, 0,
            0, 9, 0, 0,
            0, 0, 1, 0,
            0, 0, 0, 0,
        ]), requiresGrad: true)
        let y = x.maxPool2d(kernel: 3, stride: 1)
        #expect(y.value == Tensor(shape: [1, 1, 2, 2], scalars: [9, 9, 9, 9]))
        y.sum().backward()
        #expect(x.grad!.scalars[5] == 4 && x.grad!.sum().scalar == 4)
    }

    @Test func maxPoolPaddingNeverWins() {
        // All-negative input with padding 1: zeros in the padding must not be picked.
        let x = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [-4, -3, -2, -1]), requiresGrad: true)
        let y = x.maxPool2d(kernel: 2, stride: 1, padding: 1)
        #expect(y.value == Tensor(shape: [1, 1, 3, 3], scalars: [-4, -3, -3, -2, -1, -1, -2, -1, -1]))
        y.sum().backward()
        #expect(x.grad == Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 2, 4]))
    }

    @Test func maxPoolPropagatesNaNAndHandlesInfinities() {
        // A NaN wins its window (and takes the gradient); other planes are unaffected.
        let x = Variable(Tensor(shape: [1, 2, 2, 2], scalars: [1, .nan, 3, .nan, 1, -.infinity, .infinity, 2]), requiresGrad: true)
        let y = x.maxPool2d(kernel: 2)
        #expect(y.value.scalars[0].isNaN && y.value.scalars[1] == .infinity)
        y.sum().backward()
        #expect(x.grad!.scalars.map { $0 == 1 } == [false, true, false, false, false, false, true, false])
        // All negative infinity: the first entry wins.
        let z = Variable(Tensor(repeating: -.infinity, shape: [1, 1, 2, 2]), requiresGrad: true)
        z.maxPool2d(kernel: 2).sum().backward()
        #expect(z.grad == Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 0, 0]))
    }

    /// Inference (no graph: the vectorized values-only path) gives the training path's values
    /// bit for bit: ties, signed zeros and infinities included, row widths past 16 lanes and not
    /// a multiple of them, every stride and padding, and planes with NaN.
    @Test(arguments: [
        PoolingCase(shape: [2, 3, 32, 32], kernel: 3, stride: 2, padding: 1),
        PoolingCase(shape: [1, 2, 17, 35], kernel: 3, stride: 2, padding: 1),
        PoolingCase(shape: [1, 2, 9, 40], kernel: 2, stride: 1, padding: 1),
        PoolingCase(shape: [1, 2, 12, 50], kernel: 3, stride: 3, padding: 1),
        PoolingCase(shape: [1, 2, 33, 33], kernel: 5, stride: 2, padding: 2),
        PoolingCase(shape: [2, 1, 4, 4], kernel: 2, stride: 2),
    ])
    func maxPoolInferenceMatchesTraining(_ spec: PoolingCase) {
        var rng = RandomGenerator(seed: 33, stream: spec.testDescription)
        // Even planes hold only finite values, none positive, so their maxima are often zeros of
        // either sign (planes with infinities or NaN take the scalar loop).
        let palettes: [[Float]] = [[-2, -1, -0.0, 0, -0.0], [-.infinity, -1, -0.0, 0, 1, 2, .infinity]]
        let plane = spec.shape[2] * spec.shape[3]
        var scalars = (0..<spec.shape.reduce(1, *)).map { i in
            let palette = palettes[i / plane % 2]
            return palette[rng.integer(below: palette.count)]
        }
        scalars[scalars.count - 3] = .nan  // the last plane has a NaN
        let x = Tensor(shape: spec.shape, scalars: scalars)
        let inference = GradientMode.withoutGradients { Variable(x).maxPool2d(kernel: spec.kernel, stride: spec.stride, padding: spec.padding) }
        let training = Variable(x, requiresGrad: true).maxPool2d(kernel: spec.kernel, stride: spec.stride, padding: spec.padding)
        #expect(inference.shape == training.shape)
        let differing = zip(inference.value.scalars, training.value.scalars).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(training.value.count) outputs differ")
        #expect(training.value.scalars.contains { $0 == 0 && $0.sign == .minus })
    }

    static let averageCases: [PoolingCase] = [
        PoolingCase(shape: [2, 3, 4, 4], kernel: 2, stride: 2),
        PoolingCase(shape: [2, 2, 5, 7], kernel: 2, stride: 2),
        PoolingCase(shape: [1, 2, 5, 5], kernel: 3, stride: 1),
        PoolingCase(shape: [2, 2, 7, 6], kernel: 2, stride: 3),
        PoolingCase(shape: [1, 1, 6, 6], kernel: 6, stride: 6),
    ]

    @Test("avgPool2d: forward against a reference, finite-difference gradient", arguments: averageCases)
    func avgPool(_ spec: PoolingCase) {
        var rng = RandomGenerator(seed: 32, stream: spec.testDescription)
        let x = rng.uniformTensor(shape: spec.shape, low: -2, high: 2)
        let y = Variable(x).avgPool2d(kernel: spec.kernel, stride: spec.stride)
        #expect(y.shape == [spec.shape[0], spec.shape[1], spec.outputHeight, spec.outputWidth])
        let expected = spec.reference(x, max: false).values
        #expect(zip(y.value.scalars, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 })
        GradientCheck.expectMatch([x], Comment(rawValue: spec.testDescription)) { v in v[0].avgPool2d(kernel: spec.kernel, stride: spec.stride) }
    }

    @Test func avgPoolByHand() {
        let x = Variable(Tensor(shape: [1, 1, 2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8]), requiresGrad: true)
        let y = x.avgPool2d(kernel: 2)
        #expect(y.value == Tensor(shape: [1, 1, 1, 2], scalars: [3.5, 5.5]))
        y.backward(seed: Tensor(shape: [1, 1, 1, 2], scalars: [4, 8]))
        #expect(x.grad == Tensor(shape: [1, 1, 2, 4], scalars: [1, 1, 2, 2, 1, 1, 2, 2]))
    }

    @Test func globalAveragePool() {
        var rng = RandomGenerator(seed: 33)
        let x = rng.uniformTensor(shape: [3, 4, 5, 6], low: -2, high: 2)
        let y = Variable(x).globalAveragePool()
        #expect(y.shape == [3, 4])
        let xs = x.scalars
        for plane in 0..<12 {
            let mean = xs[(plane * 30)..<((plane + 1) * 30)].reduce(0.0) { $0 + Double($1) } / 30
            #expect(abs(Double(y.value.scalars[plane]) - mean) < 1e-6)
        }
        GradientCheck.expectMatch([x]) { v in v[0].globalAveragePool() }
        // Same as the mean over the spatial axes.
        let viaMean = Variable(x).mean(alongAxes: [2, 3])
        #expect(zip(viaMean.value.scalars, y.value.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func globalAveragePoolByHand() {
        let x = Variable(Tensor(shape: [1, 2, 1, 2], scalars: [1, 3, 10, 20]), requiresGrad: true)
        let y = x.globalAveragePool()
        #expect(y.value == Tensor(rows: [[2, 15]]))
        y.backward(seed: Tensor(rows: [[2, 4]]))
        #expect(x.grad == Tensor(shape: [1, 2, 1, 2], scalars: [1, 1, 2, 2]))
    }

    @Test func poolingComposesWithConvolution() {
        var rng = RandomGenerator(seed: 34)
        let inputs = [rng.uniformTensor(shape: [2, 2, 6, 6], low: -1, high: 1), rng.uniformTensor(shape: [3, 2, 3, 3], low: -1, high: 1)]
        GradientCheck.expectMatch(inputs) { v in
            Variable.conv2d(v[0], weight: v[1], bias: nil, padding: 1).avgPool2d(kernel: 2).globalAveragePool()
        }
    }
}
