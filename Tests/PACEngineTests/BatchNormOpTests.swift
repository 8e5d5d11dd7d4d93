import Foundation
import PACEngine
import PACTestSupport
import Testing

/// Reference batch normalization in `Double`, straight from the definition.
private struct ReferenceBatchNorm {
    let output: [Double]
    let mean: [Double]
    let biasedVariance: [Double]

    /// Normalizes `x` (`[N, C, ...]`) with `statistics` when given, else with the batch's.
    init(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float, statistics: (mean: Tensor, variance: Tensor)? = nil) {
        let n = x.shape[0], c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *)
        let xs = x.scalars.map(Double.init)
        func index(_ b: Int, _ ch: Int, _ i: Int) -> Int { (b * c + ch) * inner + i }
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        for ch in 0..<c {
            var s = 0.0
            for b in 0..<n { for i in 0..<inner { s += xs[index(b, ch, i)] } }
            mean[ch] = s / Double(n * inner)
            var q = 0.0
            for b in 0..<n { for i in 0..<inner { q += (xs[index(b, ch, i)] - mean[ch]) * (xs[index(b, ch, i)] - mean[ch]) } }
            variance[ch] = q / Double(n * inner)
        }
        self.mean = mean
        self.biasedVariance = variance
        let useMean = statistics.map { $0.mean.scalars.map(Double.init) } ?? mean
        let useVariance = statistics.map { $0.variance.scalars.map(Double.init) } ?? variance
        var out = [Double](repeating: 0, count: xs.count)
        for b in 0..<n {
            for ch in 0..<c {
                let inv = 1 / (useVariance[ch] + Double(epsilon)).squareRoot()
                for i in 0..<inner {
                    let k = index(b, ch, i)
                    out[k] = (xs[k] - useMean[ch]) * inv * Double(gamma.scalars[ch]) + Double(beta.scalars[ch])
                }
            }
        }
        output = out
    }
}

private func expectClose(_ actual: [Float], _ expected: [Double], tolerance: Double,
                         _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
    let worst = zip(actual, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
    #expect(worst <= tolerance, "\(what): worst error \(worst)", sourceLocation: sourceLocation)
}

/// Batch normalization built from the unfused, already gradient-checked ops: an independent
/// reference for the fused op's backward pass.
private func composedBatchNormTraining(_ x: Variable, gamma: Variable, beta: Variable, epsilon: Float) -> Variable {
    let c = x.shape[1]
    let axes = [0] + Array(2..<x.value.rank)
    let broadcastShape = [1, c] + Array(repeating: 1, count: x.value.rank - 2)
    let centered = x - x.mean(alongAxes: axes, keepingDims: true)
    let variance = (centered * centered).mean(alongAxes: axes, keepingDims: true)
    let normalized = centered / (variance + epsilon).sqrt()
    return normalized * gamma.reshaped(to: broadcastShape) + beta.reshaped(to: broadcastShape)
}

@Suite("Batch normalization ops")
struct BatchNormOpTests {
    private static let epsilon: Float = 1e-5

    private func inputs(_ shape: [Int], seed: UInt64) -> (x: Tensor, gamma: Tensor, beta: Tensor) {
        var rng = RandomGenerator(seed: seed, stream: "batch-norm-op")
        let c = shape[1]
        return (rng.tensor(shape), rng.uniformTensor(shape: [c], low: 0.5, high: 1.5), rng.uniformTensor(shape: [c], low: -1, high: 1))
    }

    @Test("training forward: output, batch mean and biased variance match a Double computation",
          arguments: [[2, 3, 4, 5], [4, 3], [3, 2, 1, 1], [2, 5, 7, 9], [16, 8, 48, 48]])
    func trainingForward(_ shape: [Int]) {
        let (x, gamma, beta) = inputs(shape, seed: 1)
        let result = Variable.batchNormTraining(Variable(x), gamma: Variable(gamma), beta: Variable(beta), epsilon: Self.epsilon)
        let reference = ReferenceBatchNorm(x, gamma: gamma, beta: beta, epsilon: Self.epsilon)
        #expect(result.output.shape == shape)
        expectClose(result.output.value.scalars, reference.output, tolerance: 2e-6, "output")
        expectClose(result.batchMean.scalars, reference.mean, tolerance: 1e-7, "batch mean")
        expectClose(result.batchVariance.scalars, reference.biasedVariance, tolerance: 1e-6, "batch variance")
        #expect(result.batchMean.shape == [shape[1]] && result.batchVariance.shape == [shape[1]])
    }

    @Test("evaluation forward matches a Double computation with the given statistics")
    func evaluationForward() {
        let (x, gamma, beta) = inputs([3, 4, 5, 6], seed: 2)
        let mean = Tensor([0.3, -0.2, 1.5, 0])
        let variance = Tensor([0.5, 2, 0.01, 1])
        let y = Variable.batchNorm(Variable(x), gamma: Variable(gamma), beta: Variable(beta),
                                   mean: mean, variance: variance, epsilon: Self.epsilon)
        let reference = ReferenceBatchNorm(x, gamma: gamma, beta: beta, epsilon: Self.epsilon, statistics: (mean, variance))
        expectClose(y.value.scalars, reference.output, tolerance: 2e-6, "output")
    }

    @Test("statistics stay accurate for large offsets and many values per channel")
    func statisticsAccuracy() {
        var rng = RandomGenerator(seed: 3, stream: "offset")
        let x = rng.normalTensor(shape: [16, 2, 32, 32], mean: 1000, standardDeviation: 0.5)
        let result = Variable.batchNormTraining(Variable(x), gamma: Variable(Tensor(ones: [2])),
                                                beta: Variable(Tensor(zeros: [2])), epsilon: 0)
        let reference = ReferenceBatchNorm(x, gamma: Tensor(ones: [2]), beta: Tensor(zeros: [2]), epsilon: 0)
        expectClose(result.batchMean.scalars, reference.mean, tolerance: 1e-7, "mean")
        for (v, r) in zip(result.batchVariance.scalars, reference.biasedVariance) {
            #expect(abs(Double(v) - r) / r < 1e-5, "variance \(v) vs \(r)")
        }
    }

    @Test("training op: finite-difference gradients w.r.t. x, gamma and beta (through the batch statistics)",
          arguments: [[2, 3, 2, 2], [4, 3], [3, 2, 1, 1], [1, 2, 3, 3], [2, 2, 5, 4]])
    func trainingGradients(_ shape: [Int]) {
        let (x, gamma, beta) = inputs(shape, seed: 4)
        let report = GradientCheck.run([x, gamma, beta], epsilon: 1e-3) { v in
            Variable.batchNormTraining(v[0], gamma: v[1], beta: v[2], epsilon: Self.epsilon).output
        }
        #expect(report.passed, "\(shape): \(report)")
    }

    @Test("evaluation op: finite-difference gradients w.r.t. x, gamma and beta")
    func evaluationGradients() {
        let (x, gamma, beta) = inputs([2, 3, 2, 3], seed: 5)
        let mean = Tensor([0.1, -0.4, 0.7]), variance = Tensor([0.8, 1.7, 0.3])
        let report = GradientCheck.run([x, gamma, beta]) { v in
            Variable.batchNorm(v[0], gamma: v[1], beta: v[2], mean: mean, variance: variance, epsilon: Self.epsilon)
        }
        #expect(report.passed, "\(report)")
    }

    /// The last shape is large enough for the kernels to split channels and rows over threads.
    @Test("fused training backward matches the composition of unfused ops", arguments: [[4, 3, 6, 5], [8, 4], [16, 8, 48, 48]])
    func matchesComposedOps(_ shape: [Int]) {
        let (x, gamma, beta) = inputs(shape, seed: 6)
        var rng = RandomGenerator(seed: 7, stream: "seed")
        let seed = rng.tensor(shape)
        func run(_ f: (Variable, Variable, Variable) -> Variable) -> (Tensor, [Tensor]) {
            let vx = Variable(x, requiresGrad: true), vg = Variable(gamma, requiresGrad: true), vb = Variable(beta, requiresGrad: true)
            let y = f(vx, vg, vb)
            y.backward(seed: seed)
            return (y.value, [vx.grad!, vg.grad!, vb.grad!])
        }
        let fused = run { Variable.batchNormTraining($0, gamma: $1, beta: $2, epsilon: Self.epsilon).output }
        let composed = run { composedBatchNormTraining($0, gamma: $1, beta: $2, epsilon: Self.epsilon) }
        expectClose(fused.0.scalars, composed.0.scalars.map(Double.init), tolerance: 1e-5, "output")
        for (name, (a, b)) in zip(["dx", "dgamma", "dbeta"], zip(fused.1, composed.1)) {
            expectClose(a.scalars, b.scalars.map(Double.init), tolerance: 1e-4, name)
        }
        // The gradient through the batch statistics makes every channel's dx sum to zero.
        let dx = fused.1[0]
        let axes = [0] + Array(2..<shape.count)
        // (Up to Float rounding of the sum, which grows with the values per channel.)
        let perChannel = Double(dx.count / shape[1])
        for total in dx.sum(alongAxes: axes).scalars { #expect(Double(abs(total)) < max(1e-4, 1e-6 * perChannel)) }
    }

    @Test("only inputs that require gradients get them; constants give a constant output")
    func gradientRequirements() {
        let (x, gamma, beta) = inputs([2, 2, 3, 3], seed: 8)
        let vx = Variable(x), vg = Variable(gamma, requiresGrad: true), vb = Variable(beta, requiresGrad: true)
        Variable.batchNormTraining(vx, gamma: vg, beta: vb, epsilon: Self.epsilon).output.sum().backward()
        #expect(vx.grad == nil && vg.grad != nil && vb.grad != nil)
        // d sum(y) / d beta = m values per channel; d sum(y) / d gamma = sum(xhat) = 0.
        #expect(vb.grad!.scalars == [18, 18])
        #expect(vg.grad!.scalars.allSatisfy { abs($0) < 1e-4 })

        let constant = Variable.batchNorm(Variable(x), gamma: Variable(gamma), beta: Variable(beta),
                                          mean: Tensor(zeros: [2]), variance: Tensor(ones: [2]), epsilon: Self.epsilon)
        #expect(constant.isLeaf && !constant.requiresGrad)
        let noGraph = GradientMode.withoutGradients {
            Variable.batchNormTraining(Variable(x, requiresGrad: true), gamma: vg, beta: vb, epsilon: Self.epsilon)
        }
        #expect(noGraph.output.isLeaf && noGraph.batchMean.shape == [2])
    }
}
