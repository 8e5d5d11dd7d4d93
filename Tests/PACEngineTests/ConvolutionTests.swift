@testable import PACEngine
import PACTestSupport
import Testing

/// One convolution configuration (NCHW input, `[O, C, kh, kw]` weight).
struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    var n: Int, c: Int, h: Int, w: Int
    var o: Int, kh: Int, kw: Int
    var stride = 1, padding = 0
    var bias = true

    var inputShape: [Int] { [n, c, h, w] }
    var weightShape: [Int] { [o, c, kh, kw] }
    var outputHeight: Int { (h + 2 * padding - kh) / stride + 1 }
    var outputWidth: Int { (w + 2 * padding - kw) / stride + 1 }

    var testDescription: String {
        "x[\(n),\(c),\(h),\(w)] w[\(o),\(c),\(kh),\(kw)] s\(stride) p\(padding)\(bias ? " +b" : "")"
    }

    func inputs(seed: UInt64 = 11) -> [Tensor] {
        var rng = RandomGenerator(seed: seed, stream: testDescription)
        var tensors = [rng.uniformTensor(shape: inputShape, low: -1, high: 1), rng.uniformTensor(shape: weightShape, low: -1, high: 1)]
        if bias { tensors.append(rng.uniformTensor(shape: [o], low: -1, high: 1)) }
        return tensors
    }

    func apply(_ v: [Variable]) -> Variable {
        Variable.conv2d(v[0], weight: v[1], bias: bias ? v[2] : nil, stride: stride, padding: padding)
    }
}

/// Direct convolution in `Double` from the definition (cross-correlation, zero padding), and its
/// adjoints, for checking the im2col + GEMM implementation.
private struct ReferenceConv {
    let spec: ConvolutionCase

    func xIndex(_ b: Int, _ ch: Int, _ i: Int, _ j: Int) -> Int { ((b * spec.c + ch) * spec.h + i) * spec.w + j }
    func wIndex(_ oc: Int, _ ch: Int, _ ki: Int, _ kj: Int) -> Int { ((oc * spec.c + ch) * spec.kh + ki) * spec.kw + kj }
    func yIndex(_ b: Int, _ oc: Int, _ i: Int, _ j: Int) -> Int {
        ((b * spec.o + oc) * spec.outputHeight + i) * spec.outputWidth + j
    }

    /// Calls `body(xIndex, wIndex, yIndex)` for every term of every output sum.
    func forEachTerm(_ body: (Int, Int, Int) -> Void) {
        let s = spec
        for b in 0..<s.n {
            for oc in 0..<s.o {
                for oh in 0..<s.outputHeight {
                    for ow in 0..<s.outputWidth {
                        for ch in 0..<s.c {
                            for ki in 0..<s.kh {
                                let ih = oh * s.stride - s.padding + ki
                                guard ih >= 0 && ih < s.h else { continue }
                                for kj in 0..<s.kw {
                                    let iw = ow * s.stride - s.padding + kj
                                    guard iw >= 0 && iw < s.w else { continue }
                                    body(xIndex(b, ch, ih, iw), wIndex(oc, ch, ki, kj), yIndex(b, oc, oh, ow))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func forward(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> [Double] {
        let xs = x.scalars.map(Double.init), ws = weight.scalars.map(Double.init)
        var y = [Double](repeating: 0, count: spec.n * spec.o * spec.outputHeight * spec.outputWidth)
        if let bias {
            let bs = bias.scalars
            for i in y.indices { y[i] = Double(bs[(i / (spec.outputHeight * spec.outputWidth)) % spec.o]) }
        }
        forEachTerm { xi, wi, yi in y[yi] += xs[xi] * ws[wi] }
        return y
    }

    /// (dX, dW) for output gradient `g`.
    func backward(_ g: Tensor, _ x: Tensor, _ weight: Tensor) -> (dx: [Double], dw: [Double]) {
        let xs = x.scalars.map(Double.init), ws = weight.scalars.map(Double.init), gs = g.scalars.map(Double.init)
        var dx = [Double](repeating: 0, count: xs.count), dw = [Double](repeating: 0, count: ws.count)
        forEachTerm { xi, wi, yi in
            dx[xi] += ws[wi] * gs[yi]
            dw[wi] += xs[xi] * gs[yi]
        }
        return (dx, dw)
    }
}

/// The largest `|actual - expected| / (1 + |expected|)`.
private func worstError(_ actual: Tensor, _ expected: [Double]) -> Double {
    precondition(actual.count == expected.count)
    return zip(actual.scalars, expected).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
}

@Suite("conv2d (NCHW, im2col + GEMM)")
struct ConvolutionTests {
    /// Gradient-checked configurations: kernels 1, 3 and non-square, strides 1-2, padding 0-1,
    /// with and without bias, several images and channels.
    static let gradientCases: [ConvolutionCase] = [
        ConvolutionCase(n: 2, c: 3, h: 5, w: 5, o: 4, kh: 3, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 2, c: 2, h: 5, w: 6, o: 3, kh: 3, kw: 3, stride: 1, padding: 0, bias: false),
        ConvolutionCase(n: 2, c: 2, h: 6, w: 5, o: 3, kh: 3, kw: 3, stride: 2, padding: 1),
        ConvolutionCase(n: 3, c: 2, h: 7, w: 6, o: 2, kh: 3, kw: 3, stride: 2, padding: 0, bias: false),
        ConvolutionCase(n: 3, c: 4, h: 4, w: 3, o: 2, kh: 1, kw: 1, stride: 1, padding: 0),
        ConvolutionCase(n: 2, c: 3, h: 5, w: 5, o: 2, kh: 1, kw: 1, stride: 1, padding: 0, bias: false),
        ConvolutionCase(n: 2, c: 3, h: 5, w: 6, o: 4, kh: 1, kw: 1, stride: 2, padding: 0),
        ConvolutionCase(n: 2, c: 2, h: 4, w: 4, o: 3, kh: 1, kw: 1, stride: 1, padding: 1, bias: false),
        ConvolutionCase(n: 2, c: 2, h: 4, w: 5, o: 3, kh: 2, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 1, c: 1, h: 3, w: 3, o: 1, kh: 3, kw: 3, stride: 1, padding: 0),
        ConvolutionCase(n: 2, c: 2, h: 7, w: 7, o: 2, kh: 5, kw: 5, stride: 3, padding: 2),
        // At least 256 output positions: the weight gradient takes the row-dot-product kernel.
        ConvolutionCase(n: 2, c: 2, h: 15, w: 19, o: 5, kh: 3, kw: 3, stride: 1, padding: 1),
    ]

    @Test("finite-difference gradients of x, weight and bias", arguments: gradientCases)
    func gradients(_ spec: ConvolutionCase) {
        let report = GradientCheck.run(spec.inputs(), spec.apply)
        #expect(report.passed, "\(spec.testDescription): \(report)")
    }

    @Test func gradientOfInputOnlyAndWeightOnly() {
        let spec = ConvolutionCase(n: 2, c: 3, h: 5, w: 4, o: 2, kh: 3, kw: 3, stride: 1, padding: 1)
        let values = spec.inputs()
        // Weight and bias constant: only dX is computed.
        GradientCheck.expectMatch([values[0]]) { v in
            Variable.conv2d(v[0], weight: Variable(values[1]), bias: Variable(values[2]), padding: 1)
        }
        // Input constant: only dW and db.
        GradientCheck.expectMatch([values[1], values[2]]) { v in
            Variable.conv2d(Variable(values[0]), weight: v[0], bias: v[1], padding: 1)
        }
        // Pointwise kernel, input constant.
        let pointwise = ConvolutionCase(n: 2, c: 3, h: 3, w: 3, o: 2, kh: 1, kw: 1).inputs()
        GradientCheck.expectMatch([pointwise[1]]) { v in Variable.conv2d(Variable(pointwise[0]), weight: v[0], bias: nil) }
    }

    @Test func gradientThroughAConvolutionalNetwork() {
        var rng = RandomGenerator(seed: 21)
        let inputs = [
            rng.uniformTensor(shape: [2, 2, 6, 6], low: -1, high: 1),
            rng.uniformTensor(shape: [3, 2, 3, 3], low: -0.5, high: 0.5),
            rng.uniformTensor(shape: [3], low: -0.5, high: 0.5),
            rng.uniformTensor(shape: [4, 3, 3, 3], low: -0.5, high: 0.5),
        ]
        GradientCheck.expectMatch(inputs) { v in
            let h = Variable.conv2d(v[0], weight: v[1], bias: v[2], padding: 1).tanh()
            let z = Variable.conv2d(h, weight: v[3], bias: nil, stride: 2, padding: 1)
            return (z.globalAveragePool() + h.avgPool2d(kernel: 3).sum(alongAxes: [2, 3]).slice(axis: 1, 0..<1)).sigmoid()
        }
    }

    static let forwardCases: [ConvolutionCase] = gradientCases + [
        ConvolutionCase(n: 4, c: 5, h: 9, w: 11, o: 7, kh: 3, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 3, c: 16, h: 8, w: 8, o: 32, kh: 3, kw: 3, stride: 2, padding: 1, bias: false),
        ConvolutionCase(n: 2, c: 16, h: 8, w: 8, o: 32, kh: 1, kw: 1, stride: 2, padding: 0, bias: false),
        ConvolutionCase(n: 2, c: 3, h: 10, w: 7, o: 5, kh: 4, kw: 2, stride: 3, padding: 2),
        ConvolutionCase(n: 1, c: 2, h: 3, w: 3, o: 2, kh: 5, kw: 5, stride: 1, padding: 1),
        // Large enough to run images on several threads.
        ConvolutionCase(n: 8, c: 8, h: 16, w: 16, o: 8, kh: 3, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 5, c: 16, h: 12, w: 12, o: 24, kh: 3, kw: 3, stride: 1, padding: 1),
        // More images than weight-gradient groups (32): several images accumulate per group.
        ConvolutionCase(n: 45, c: 2, h: 5, w: 5, o: 3, kh: 3, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 70, c: 4, h: 12, w: 12, o: 6, kh: 3, kw: 3, stride: 2, padding: 1),
        ConvolutionCase(n: 37, c: 6, h: 4, w: 4, o: 5, kh: 1, kw: 1),
        ConvolutionCase(n: 34, c: 2, h: 15, w: 19, o: 3, kh: 3, kw: 3, stride: 1, padding: 1),
        // Images lowered in several pieces of output rows (forward, and dX as a convolution).
        ConvolutionCase(n: 2, c: 16, h: 20, w: 32, o: 8, kh: 3, kw: 3, stride: 1, padding: 1, bias: false),
        // Stride 2 over rows long enough for im2col's vector gathers.
        ConvolutionCase(n: 2, c: 3, h: 8, w: 37, o: 4, kh: 3, kw: 3, stride: 2, padding: 1),
    ]

    @Test("forward and backward match a direct Double convolution", arguments: forwardCases)
    func matchesReference(_ spec: ConvolutionCase) {
        let values = spec.inputs(seed: 12)
        let reference = ReferenceConv(spec: spec)
        let x = Variable(values[0], requiresGrad: true), weight = Variable(values[1], requiresGrad: true)
        let bias = spec.bias ? Variable(values[2], requiresGrad: true) : nil
        let y = Variable.conv2d(x, weight: weight, bias: bias, stride: spec.stride, padding: spec.padding)
        #expect(y.shape == [spec.n, spec.o, spec.outputHeight, spec.outputWidth])
        #expect(worstError(y.value, reference.forward(values[0], values[1], spec.bias ? values[2] : nil)) < 1e-5)

        var rng = RandomGenerator(seed: 13, stream: spec.testDescription)
        let g = rng.uniformTensor(shape: y.shape, low: -1, high: 1)
        y.backward(seed: g)
        let (dx, dw) = reference.backward(g, values[0], values[1])
        #expect(worstError(x.grad!, dx) < 1e-5)
        #expect(worstError(weight.grad!, dw) < 1e-5)
        if let bias {
            var db = [Double](repeating: 0, count: spec.o)
            let plane = spec.outputHeight * spec.outputWidth
            for (i, v) in g.scalars.enumerated() { db[(i / plane) % spec.o] += Double(v) }
            #expect(worstError(bias.grad!, db) < 1e-5)
        }
    }

    @Test func handComputedExample() {
        // x = 1...9 as one 3x3 image, kernel [[1, 2], [3, 4]], bias 0.5.
        let x = Variable(Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init)), requiresGrad: true)
        let weight = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let bias = Variable(Tensor([0.5]), requiresGrad: true)
        let y = Variable.conv2d(x, weight: weight, bias: bias)
        // 1*1 + 2*2 + 4*3 + 5*4 = 37, and so on (cross-correlation, no kernel flip).
        #expect(y.value == Tensor(shape: [1, 1, 2, 2], scalars: [37.5, 47.5, 67.5, 77.5]))
        y.sum().backward()
        // dW[ki, kj] = sum of the inputs the tap touches; dX counts the taps covering each pixel.
        #expect(weight.grad == Tensor(shape: [1, 1, 2, 2], scalars: [12, 16, 24, 28]))
        #expect(bias.grad == Tensor([4]))
        #expect(x.grad == Tensor(shape: [1, 1, 3, 3], scalars: [1, 3, 2, 4, 10, 6, 3, 7, 4]))

        // Stride 2 and padding 1: 2x2 output whose windows hang over the edges.
        let strided = Variable.conv2d(x, weight: weight, bias: nil, stride: 2, padding: 1)
        #expect(strided.value == Tensor(shape: [1, 1, 2, 2], scalars: [4, 18, 36, 77]))
    }

    @Test func twoChannelsAndTwoOutputsByHand() {
        // Channel 0 is all ones, channel 1 all twos; 1x1 kernels mix them.
        let x = Variable(Tensor(shape: [1, 2, 2, 2], scalars: [1, 1, 1, 1, 2, 2, 2, 2]))
        let weight = Variable(Tensor(shape: [2, 2, 1, 1], scalars: [1, 10, -1, 3]))
        let y = Variable.conv2d(x, weight: weight, bias: Variable(Tensor([0, 100])))
        #expect(y.value == Tensor(shape: [1, 2, 2, 2], scalars: [21, 21, 21, 21, 105, 105, 105, 105]))
    }

    @Test(arguments: [12, 41])
    func resultsDoNotDependOnThreadCount(images: Int) {
        let spec = ConvolutionCase(n: images, c: 8, h: 16, w: 16, o: 8, kh: 3, kw: 3, stride: 1, padding: 1)
        let values = spec.inputs(seed: 14)
        var rng = RandomGenerator(seed: 15)
        let g = rng.uniformTensor(shape: [images, 8, 16, 16], low: -1, high: 1)
        func run(threads: Int) -> [Tensor] {
            let v = values.map { Variable($0, requiresGrad: true) }
            let y = Variable.conv2d(v[0], weight: v[1], bias: v[2], stride: 1, padding: 1, threads: threads)
            y.backward(seed: g)
            return [y.value] + v.map { $0.grad! }
        }
        let single = run(threads: 1)
        #expect(ImageBatchSchedule(images: images, workPerImage: 8 * 72 * 256, threads: 3).workers == 3)
        for threads in [2, 3, 7] {
            let multi = run(threads: threads)
            for (a, b) in zip(single, multi) {
                #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "threads \(threads)")
            }
        }
    }

    /// Images whose own product is large enough for GEMM's threads (an ImageNet stem: 7 x 7,
    /// stride 2, 1024 output positions) are still spread over the workers when there are enough
    /// of them, with the same bits as on one thread.
    @Test func largeImagesSpreadOverWorkers() {
        let work = 64 * 147 * 1024
        #expect(ImageBatchSchedule(images: 32, workPerImage: work, threads: 2).workers == 2)
        #expect(ImageBatchSchedule(images: 1, workPerImage: work, threads: 2).gemmThreads == 2)
        let spec = ConvolutionCase(n: 3, c: 3, h: 64, w: 64, o: 64, kh: 7, kw: 7, stride: 2, padding: 3)
        let values = spec.inputs(seed: 16)
        var rng = RandomGenerator(seed: 17)
        let g = rng.uniformTensor(shape: [3, 64, 32, 32], low: -1, high: 1)
        func run(threads: Int) -> [[UInt32]] {
            let v = values.map { Variable($0, requiresGrad: true) }
            let y = Variable.conv2d(v[0], weight: v[1], bias: v[2], stride: 2, padding: 3, threads: threads)
            y.backward(seed: g)
            return ([y.value] + v.map { $0.grad! }).map { $0.scalars.map(\.bitPattern) }
        }
        let single = run(threads: 1)
        for threads in [2, 3] { #expect(run(threads: threads) == single, "threads \(threads)") }
    }

    @Test func outputShapes() {
        func shape(_ x: [Int], _ w: [Int], stride: Int = 1, padding: Int = 0) -> [Int] {
            GradientMode.withoutGradients {
                Variable.conv2d(Variable(Tensor(zeros: x)), weight: Variable(Tensor(zeros: w)), bias: nil,
                                stride: stride, padding: padding).shape
            }
        }
        // The ResNet-8 stem and stage transitions on 32x32 images.
        #expect(shape([2, 3, 32, 32], [16, 3, 3, 3], padding: 1) == [2, 16, 32, 32])
        #expect(shape([2, 16, 32, 32], [32, 16, 3, 3], stride: 2, padding: 1) == [2, 32, 16, 16])
        #expect(shape([2, 16, 32, 32], [32, 16, 1, 1], stride: 2) == [2, 32, 16, 16])
        #expect(shape([1, 1, 7, 7], [1, 1, 3, 3], stride: 2) == [1, 1, 3, 3])
        #expect(shape([1, 1, 8, 8], [1, 1, 3, 3], stride: 3, padding: 1) == [1, 1, 3, 3])
        #expect(shape([1, 1, 3, 5], [1, 1, 3, 5]) == [1, 1, 1, 1])
    }

    @Test func noGraphWithoutGradients() {
        let x = Variable(Tensor(ones: [1, 1, 3, 3]), requiresGrad: true)
        let weight = Variable(Tensor(ones: [1, 1, 3, 3]), requiresGrad: true)
        let y = GradientMode.withoutGradients { Variable.conv2d(x, weight: weight, bias: nil) }
        #expect(y.isLeaf && !y.requiresGrad && y.value == Tensor(shape: [1, 1, 1, 1], scalars: [9]))
    }

    @Test func im2colRoundTripIsAdjoint() {
        // <im2col(x), c> == <x, col2im(c)> for random x and c: col2im is im2col's transpose.
        let g = Conv2dGeometry(channels: 3, height: 7, width: 6, kernelHeight: 3, kernelWidth: 2, stride: 2, padding: 1)
        var rng = RandomGenerator(seed: 16)
        let x = rng.uniformTensor(shape: [g.imageSize], low: -1, high: 1)
        let c = rng.uniformTensor(shape: [g.columnRows * g.columnCount], low: -1, high: 1)
        var columns = [Float](repeating: .nan, count: c.count)
        var image = [Float](repeating: 0, count: x.count)
        x.withUnsafePointer { xp in columns.withUnsafeMutableBufferPointer { Im2Col.im2col(xp, geometry: g, into: $0.baseAddress!) } }
        c.withUnsafePointer { cp in image.withUnsafeMutableBufferPointer { Im2Col.col2im(cp, geometry: g, addingInto: $0.baseAddress!) } }
        #expect(columns.allSatisfy { !$0.isNaN }, "im2col writes every entry")
        let lhs = zip(columns, c.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.scalars, image).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) < 1e-4)
    }
}

/// The batched convolution paths (several images' columns in one product, `BatchedWeightGradient`)
/// against one product per image: the same bits, for any thread count.
@Suite("conv2d: batched products equal per-image products bit for bit")
struct BatchedConvolutionTests {
    /// Few positions per image (where batching applies), odd channel counts (edge tiles of GEMM and
    /// of the 6 x 32 weight-gradient tile), strides 1 and 2 (transposed-convolution and lowered
    /// input gradients), 1x1 projections, and batches whose 32 groups hold one or two images.
    static let cases: [ConvolutionCase] = [
        ConvolutionCase(n: 37, c: 6, h: 4, w: 4, o: 10, kh: 3, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 9, c: 5, h: 7, w: 6, o: 7, kh: 3, kw: 3, stride: 2, padding: 1, bias: false),
        ConvolutionCase(n: 12, c: 8, h: 4, w: 4, o: 13, kh: 1, kw: 1, stride: 2, padding: 0, bias: false),
        ConvolutionCase(n: 5, c: 3, h: 8, w: 8, o: 4, kh: 1, kw: 1, stride: 1, padding: 0),
        ConvolutionCase(n: 66, c: 4, h: 2, w: 2, o: 9, kh: 3, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 4, c: 16, h: 16, w: 16, o: 8, kh: 3, kw: 3, stride: 1, padding: 1),
        // Large enough for threaded GEMMs and a threaded weight-gradient kernel.
        ConvolutionCase(n: 16, c: 32, h: 4, w: 4, o: 64, kh: 3, kw: 3, stride: 1, padding: 1),
        // Stride 2 into `PanelConvolution`'s panels: output widths 32 (an ImageNet stem), 16, 8, 4.
        // (64 output channels: two panels, which an RGB input's weight gradient splits over threads.)
        ConvolutionCase(n: 3, c: 3, h: 64, w: 64, o: 64, kh: 7, kw: 7, stride: 2, padding: 3, bias: false),
        ConvolutionCase(n: 4, c: 5, h: 32, w: 31, o: 7, kh: 3, kw: 3, stride: 2, padding: 1),
        ConvolutionCase(n: 5, c: 6, h: 16, w: 16, o: 12, kh: 3, kw: 3, stride: 2, padding: 1),
        ConvolutionCase(n: 6, c: 4, h: 8, w: 8, o: 20, kh: 1, kw: 1, stride: 2, padding: 0),
        // Stride 1 onto rows of 32 and 16, read in place from the (padded) input: depth beyond
        // one `kc` block, 20 output channels (a 12-row panel, then 4-row tiles); no padding.
        ConvolutionCase(n: 2, c: 32, h: 32, w: 32, o: 20, kh: 3, kw: 3, stride: 1, padding: 1),
        ConvolutionCase(n: 3, c: 5, h: 16, w: 16, o: 6, kh: 1, kw: 1, stride: 1, padding: 0, bias: false),
        // Fewer columns (8 images of 2 x 2) than output channels: threads split the weight's rows.
        ConvolutionCase(n: 8, c: 128, h: 2, w: 2, o: 256, kh: 3, kw: 3, stride: 1, padding: 1, bias: false),
    ]

    private func bits(_ t: Tensor?) -> [UInt32] { t!.scalars.map(\.bitPattern) }

    @Test(arguments: cases)
    func batchedEqualsPerImage(spec: ConvolutionCase) {
        let values = spec.inputs(seed: 21)
        var rng = RandomGenerator(seed: 22, stream: spec.testDescription)
        let g = rng.uniformTensor(shape: [spec.n, spec.o, spec.outputHeight, spec.outputWidth], low: -1, high: 1)
        let geometry = Convolution.geometry(input: spec.inputShape, weight: spec.weightShape, bias: spec.bias ? [spec.o] : nil,
                                            stride: spec.stride, padding: spec.padding)
        let bias = spec.bias ? values[2] : nil
        let reference = Convolution.forward(values[0], weight: values[1], bias: bias, geometry: geometry, threads: 1, batching: false)
        let referenceGradients = Convolution.backward(g, input: values[0], weight: values[1], geometry: geometry,
                                                      inputGradient: true, weightGradient: true, threads: 1, batching: false)
        #expect(Convolution.imagesPerProduct(geometry, images: spec.n) > 1 || geometry.columnCount > 256)
        for threads in [1, 2, 3, 7] {
            let y = Convolution.forward(values[0], weight: values[1], bias: bias, geometry: geometry, threads: threads)
            #expect(bits(y) == bits(reference), "forward, threads \(threads)")
            // A small packing limit splits the batched weight gradient into chunks of groups
            // (both kernels).
            for limit in [Convolution.packedColumnScalars, 1] {
                let (dx, dw) = Convolution.backward(g, input: values[0], weight: values[1], geometry: geometry,
                                                    inputGradient: true, weightGradient: true, threads: threads, packedLimit: limit)
                #expect(bits(dx) == bits(referenceGradients.input), "dX, threads \(threads), limit \(limit)")
                #expect(bits(dw) == bits(referenceGradients.weight), "dW, threads \(threads), limit \(limit)")
            }
            let (_, dwOnly) = Convolution.backward(g, input: values[0], weight: values[1], geometry: geometry,
                                                   inputGradient: false, weightGradient: true, threads: threads)
            #expect(bits(dwOnly) == bits(referenceGradients.weight), "dW alone, threads \(threads)")
        }
    }

    @Test func batchedWeightGradientKeepsEveryGroupsOrder() {
        // 40 images in 32 groups (8 of two images); the kernel against per-image GEMMs into group
        // partials summed in group order, written out here.
        let (n, o, k, p) = (40, 6, 37, 5)
        var rng = RandomGenerator(seed: 23)
        let dy = rng.uniformTensor(shape: [n, o, p], low: -1, high: 1).scalars
        let columns = rng.uniformTensor(shape: [n, k, p], low: -1, high: 1).scalars
        let schedule = ImageBatchSchedule(images: n, workPerImage: 1, threads: 1)
        let groups = (0..<schedule.groups).map { schedule.images(ofGroup: $0) }
        var expected = [Float](repeating: 0, count: o * k)
        var partial = [Float](repeating: 0, count: o * k)
        for (index, group) in groups.enumerated() {
            for (j, i) in group.enumerated() {
                GEMM.multiply(transposeA: false, transposeB: true, m: o, n: k, k: p, a: Array(dy[(i * o * p)...]), lda: p,
                              b: Array(columns[(i * k * p)...]), ldb: p, beta: j == 0 ? 0 : 1, c: &partial, ldc: k, threads: 1,
                              backend: .builtin)
            }
            for e in 0..<(o * k) { expected[e] = index == 0 ? partial[e] : expected[e] + partial[e] }
        }
        var packed = [Float](repeating: .nan, count: BatchedWeightGradient.packedSize(k: k, positions: p, images: n))
        for i in 0..<n {
            BatchedWeightGradient.pack(Array(columns[(i * k * p)...]), k: k, positions: p, index: i, images: n, into: &packed)
        }
        var c = [Float](repeating: .nan, count: o * k)
        for threads in [1, 2] {
            BatchedWeightGradient.multiply(m: o, k: k, positions: p, dy: dy, groups: groups, firstImage: 0, images: n,
                                           packed: packed, c: &c, accumulate: false, threads: threads)
            #expect(c.map(\.bitPattern) == expected.map(\.bitPattern))
        }
    }
}
