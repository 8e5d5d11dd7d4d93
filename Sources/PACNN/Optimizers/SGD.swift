import PACEngine

/// Stochastic gradient descent with PyTorch's semantics (`torch.optim.SGD`):
///
///     g = grad + weightDecay * p
///     buf = g                                   (first step)
///     buf = momentum * buf + (1 - dampening) * g (later steps)
///     g = nesterov ? g + momentum * buf : buf
///     p -= lr * g
///
/// Only entries selected by each parameter's update mask are touched, momentum included.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool
    private var momentumBuffers: StateBuffers
    private var started: [Bool]

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum needs momentum > 0 and no dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = StateBuffers(count: parameters.count)
        started = Array(repeating: false, count: parameters.count)
    }

    public func update(_ index: Int, value p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, entries: TrainableEntries) {
        let (lr, mu, damp, wd, nesterov) = (learningRate, momentum, dampening, weightDecay, nesterov)
        guard mu != 0 else {
            entries.forEachChunk { chunk in
                let weight = chunk.load(p)
                let grad = wd == 0 ? chunk.load(g) : chunk.load(g) + wd * weight
                chunk.store(weight - lr * grad, to: p)
            }
            return
        }
        let first = !started[index]
        started[index] = true
        momentumBuffers.withBuffer(index, count: entries.count) { buf in
            entries.forEachChunk { chunk in
                let weight = chunk.load(p)
                let grad = wd == 0 ? chunk.load(g) : chunk.load(g) + wd * weight
                let momentum = first ? grad : mu * chunk.load(buf) + (1 - damp) * grad
                chunk.store(momentum, to: buf)
                chunk.store(weight - lr * (nesterov ? grad + mu * momentum : momentum), to: p)
            }
        }
    }

    /// The momentum buffer of parameter `index` (nil before its first update).
    public func momentumBuffer(_ index: Int) -> [Float]? { momentumBuffers.buffer(index) }
}
