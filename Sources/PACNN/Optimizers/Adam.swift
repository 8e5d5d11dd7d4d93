import Foundation
import PACEngine

/// Adam with PyTorch's semantics (`torch.optim.Adam`, non-fused, no AMSGrad):
///
///     g = grad + weightDecay * p
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     p -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// The step count `t` is per parameter, as in PyTorch: a parameter that receives no gradient (or
/// is frozen) in a step does not advance. Only entries selected by each parameter's update mask
/// are touched, moments included.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// Updates applied to each parameter.
    public private(set) var stepCounts: [Int]
    private var firstMoments: StateBuffers
    private var secondMoments: StateBuffers

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = StateBuffers(count: parameters.count)
        secondMoments = StateBuffers(count: parameters.count)
        stepCounts = Array(repeating: 0, count: parameters.count)
    }

    public func update(_ index: Int, value p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, entries: TrainableEntries) {
        // Bias corrections in Double, as PyTorch computes them with Python floats.
        stepCounts[index] += 1
        let t = Double(stepCounts[index])
        let biasCorrection2Sqrt = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
        let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), t)))
        let (b1, b2, eps, wd) = (beta1, beta2, epsilon, weightDecay)
        firstMoments.withBuffer(index, count: entries.count) { m in
            secondMoments.withBuffer(index, count: entries.count) { v in
                entries.forEachChunk { chunk in
                    let weight = chunk.load(p)
                    let grad = wd == 0 ? chunk.load(g) : chunk.load(g) + wd * weight
                    let mNew = b1 * chunk.load(m) + (1 - b1) * grad
                    let vNew = b2 * chunk.load(v) + (1 - b2) * grad * grad
                    let denominator = vNew.squareRoot() / biasCorrection2Sqrt + eps
                    chunk.store(weight - stepSize * (mNew / denominator), to: p)
                    chunk.store(mNew, to: m)
                    chunk.store(vNew, to: v)
                }
            }
        }
    }

    /// The first-moment buffer of parameter `index` (nil before its first update).
    public func firstMoment(_ index: Int) -> [Float]? { firstMoments.buffer(index) }
    /// The second-moment buffer of parameter `index` (nil before its first update).
    public func secondMoment(_ index: Int) -> [Float]? { secondMoments.buffer(index) }
}
