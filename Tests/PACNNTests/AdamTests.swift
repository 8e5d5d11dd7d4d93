import Foundation
import PACEngine
import PACNN
import Testing

/// Adam checked against PyTorch's update rule written out by hand (in Double) for three steps:
///
///     m_t = b1 m_{t-1} + (1 - b1) g_t
///     v_t = b2 v_{t-1} + (1 - b2) g_t^2
///     p_t = p_{t-1} - (lr / (1 - b1^t)) * m_t / (sqrt(v_t) / sqrt(1 - b2^t) + eps)
///
/// The hyperparameters are the optimizer's stored `Float` values widened to Double, so the
/// reference and the optimizer agree on them exactly.
@Suite("Adam against hand-computed PyTorch steps")
struct AdamTests {
    private func expectClose(_ actual: [Float], _ expected: [Double], relative: Double = 1e-6, _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(Double(a) - e) <= relative * max(abs(e), 1e-12), "\(what)[\(i)]: \(a) vs \(e)",
                    sourceLocation: sourceLocation)
        }
    }

    private let p0: [Float] = [0.5, -1.0, 2.0]
    private let g1: [Float] = [0.1, -0.2, 0.3]
    private let g2: [Float] = [-0.05, 0.4, 0.3]
    private let g3: [Float] = [0.2, 0.0, -0.1]

    @Test func threeStepsMatchFormulas() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let adam = Adam(parameters: [parameter], learningRate: 0.01)
        let (lr, b1, b2, eps) = (Double(adam.learningRate), Double(adam.beta1), Double(adam.beta2), Double(adam.epsilon))
        #expect(adam.firstMoment(0) == nil && adam.secondMoment(0) == nil && adam.stepCounts == [0])

        var p = p0.map(Double.init)
        let g1 = self.g1.map(Double.init), g2 = self.g2.map(Double.init), g3 = self.g3.map(Double.init)

        // Step 1.
        parameter.variable.grad = Tensor(self.g1)
        adam.step()
        let m1 = g1.map { (1 - b1) * $0 }
        let v1 = g1.map { (1 - b2) * $0 * $0 }
        for i in 0..<3 { p[i] -= (lr / (1 - b1)) * m1[i] / (v1[i].squareRoot() / (1 - b2).squareRoot() + eps) }
        #expect(adam.stepCounts == [1])
        expectClose(adam.firstMoment(0)!, m1, "m1")
        expectClose(adam.secondMoment(0)!, v1, "v1")
        expectClose(parameter.value.scalars, p, "p1")

        // Step 2.
        parameter.variable.grad = Tensor(self.g2)
        adam.step()
        let m2 = (0..<3).map { b1 * m1[$0] + (1 - b1) * g2[$0] }
        let v2 = (0..<3).map { b2 * v1[$0] + (1 - b2) * g2[$0] * g2[$0] }
        for i in 0..<3 {
            p[i] -= (lr / (1 - b1 * b1)) * m2[i] / (v2[i].squareRoot() / (1 - b2 * b2).squareRoot() + eps)
        }
        expectClose(adam.firstMoment(0)!, m2, "m2")
        expectClose(adam.secondMoment(0)!, v2, "v2")
        expectClose(parameter.value.scalars, p, "p2")

        // Step 3 (one gradient entry is exactly zero: its moment decays, the parameter still moves).
        parameter.variable.grad = Tensor(self.g3)
        adam.step()
        let m3 = (0..<3).map { b1 * m2[$0] + (1 - b1) * g3[$0] }
        let v3 = (0..<3).map { b2 * v2[$0] + (1 - b2) * g3[$0] * g3[$0] }
        for i in 0..<3 {
            p[i] -= (lr / (1 - pow(b1, 3))) * m3[i] / (v3[i].squareRoot() / (1 - pow(b2, 3)).squareRoot() + eps)
        }
        expectClose(adam.firstMoment(0)!, m3, "m3")
        expectClose(adam.secondMoment(0)!, v3, "v3")
        expectClose(parameter.value.scalars, p, "p3")
        #expect(adam.stepCounts == [3])
    }

    @Test func weightDecayIsAddedToTheGradient() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let adam = Adam(parameters: [parameter], learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1)
        let (lr, b1, b2, eps, wd) = (Double(adam.learningRate), Double(adam.beta1), Double(adam.beta2),
                                     Double(adam.epsilon), Double(adam.weightDecay))
        var p = p0.map(Double.init)
        var m = [0.0, 0, 0], v = [0.0, 0, 0]
        for (t, grad) in [g1, g2, g3].enumerated() {
            parameter.variable.grad = Tensor(grad)
            adam.step()
            let step = Double(t + 1)
            for i in 0..<3 {
                let g = Double(grad[i]) + wd * p[i]  // g = grad + weightDecay * p
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                p[i] -= (lr / (1 - pow(b1, step))) * m[i] / (v[i].squareRoot() / (1 - pow(b2, step)).squareRoot() + eps)
            }
            expectClose(adam.firstMoment(0)!, m, "m\(t + 1)")
            expectClose(adam.secondMoment(0)!, v, "v\(t + 1)")
            expectClose(parameter.value.scalars, p, "p\(t + 1)")
        }
    }

    @Test func firstStepMovesByLearningRateTimesSign() {
        // With m1 = (1-b1) g and v1 = (1-b2) g^2 the bias-corrected step is lr * g / (|g| + eps').
        let parameter = Parameter(Tensor([0, 0, 0, 0]), role: .weight)
        let adam = Adam(parameters: [parameter], learningRate: 0.001)
        parameter.variable.grad = Tensor([3, -0.5, 1e-2, -100])
        adam.step()
        expectClose(parameter.value.scalars, [-0.001, 0.001, -0.001, 0.001], relative: 1e-5, "p1")
    }

    /// A parameter large enough for the update to be split over threads gets exactly the bits
    /// of the same entries updated as small parameters, one at a time; masked entries (whole
    /// chunks and single lanes) and their moments do not move.
    @Test func largeParametersUpdateLikeSmallOnes() {
        let pieces = 97, pieceSize = 4123, count = pieces * pieceSize
        var rng = RandomGenerator(seed: 5, stream: "test/adam-large")
        let values = rng.uniformTensor(shape: [count], low: -1, high: 1).scalars
        let mask = (0..<count).map { i -> Float in (i / 16) % 7 == 3 || i % 5 == 0 ? 0 : 1 }
        let large = Parameter(Tensor(shape: [count], scalars: values), role: .weight)
        large.updateMask = Tensor(shape: [count], scalars: mask)
        let small = (0..<pieces).map { j -> Parameter in
            let range = (j * pieceSize)..<((j + 1) * pieceSize)
            let parameter = Parameter(Tensor(shape: [pieceSize], scalars: Array(values[range])), role: .weight)
            parameter.updateMask = Tensor(shape: [pieceSize], scalars: Array(mask[range]))
            return parameter
        }
        let adamLarge = Adam(parameters: [large], learningRate: 0.01, weightDecay: 0.01)
        let adamSmall = Adam(parameters: small, learningRate: 0.01, weightDecay: 0.01)
        for _ in 0..<3 {
            let gradient = rng.normalTensor(shape: [count]).scalars
            large.variable.grad = Tensor(shape: [count], scalars: gradient)
            for (j, parameter) in small.enumerated() {
                parameter.variable.grad = Tensor(shape: [pieceSize], scalars: Array(gradient[(j * pieceSize)..<((j + 1) * pieceSize)]))
            }
            adamLarge.step()
            adamSmall.step()
        }
        #expect(large.value.scalars == small.flatMap(\.value.scalars))
        #expect(adamLarge.secondMoment(0)! == (0..<pieces).flatMap { adamSmall.secondMoment($0)! })
        let moved = zip(large.value.scalars, values).map { $0 != $1 }
        #expect(zip(moved, mask).allSatisfy { $0 == ($1 != 0) })
    }

    @Test func gradientsFromBackwardAndSeveralParameters() {
        // Two parameters stepping together share the step count; gradients come from a real graph.
        let a = Parameter(Tensor([1, 2]), role: .weight)
        let b = Parameter(Tensor([-3]), role: .bias)
        let adam = Adam(parameters: [a, b], learningRate: 0.1)
        // loss = sum(a * [0.5, -1]) + 4 b  ->  grads [0.5, -1] and [4].
        ((a.variable * Tensor([0.5, -1])).sum() + (b.variable * Float(4)).sum()).backward()
        adam.step()
        expectClose(a.value.scalars, [1 - 0.1, 2 + 0.1], "a")
        expectClose(b.value.scalars, [-3 - 0.1], "b")
        adam.zeroGrad()
        #expect(a.grad == nil && b.grad == nil)
        // A parameter without a gradient is skipped: its value and state do not change.
        a.variable.grad = Tensor([0.5, -1])
        let bBefore = b.value
        let vBefore = adam.secondMoment(1)
        adam.step()
        #expect(b.value == bBefore && adam.secondMoment(1) == vBefore)
        // Step counts are per parameter, as in PyTorch: b did not advance.
        #expect(adam.stepCounts == [2, 1])
    }
}
