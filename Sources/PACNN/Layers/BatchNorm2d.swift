import PACEngine

/// Batch normalization of NCHW feature maps over N, H and W per channel, with PyTorch's
/// semantics, names and defaults (`nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)`):
///
///     y = (x - mean[c]) / sqrt(var[c] + epsilon) * weight[c] + bias[c]
///
/// - Parameters (role `.normalization`): `weight` (gamma, initialized to 1) and `bias` (beta,
///   initialized to 0), each `[C]`.
/// - Buffers (state, not parameters; see `Buffer`): `running_mean` (`[C]`, initialized to 0),
///   `running_var` (`[C]`, initialized to 1) and `num_batches_tracked` (a scalar count).
///
/// Modes (`ModeDependent`; modules start in training mode, switch with `Module.setTraining(_:)`):
/// - Training: normalizes with the batch's mean and biased variance (gradients flow through
///   them) and updates the running statistics as PyTorch does:
///   `running = (1 - momentum) * running + momentum * batchStatistic`, with the *unbiased*
///   batch variance (`m / (m - 1)` times the biased one, `m = N * H * W`) for `running_var`,
///   and increments `num_batches_tracked`. With `momentum == nil` the running statistics are
///   cumulative averages (factor `1 / num_batches_tracked`), as PyTorch's `momentum=None`.
///   Every channel needs more than one value (`m > 1`), as in PyTorch.
/// - Evaluation: normalizes with the running statistics and leaves every buffer unchanged.
///
/// The mode, not `GradientMode`, decides: calling a model in training mode inside
/// `withoutGradients` normalizes with batch statistics and updates the running ones (as PyTorch
/// under `torch.no_grad()`). `Layer.predict` always runs in evaluation mode, so inference never
/// changes the running statistics; `Trainer.fit` puts the model in training mode.
///
/// `freezesStatistics`: when true, the layer behaves like evaluation mode *even in training
/// mode*: it normalizes with the running statistics and never updates `running_mean`,
/// `running_var` or `num_batches_tracked` (torchvision's `FrozenBatchNorm2d`, or a PyTorch
/// `BatchNorm2d` held in `eval()` while the rest of the model trains). `weight` and `bias`
/// still receive gradients; freeze them with update masks as any parameter. PAC-Net calibration
/// sets it so that the normalization statistics the source model uses stay bit-identical while
/// the target weights are trained, and so that calibration trains the function inference uses.
public final class BatchNorm2d: Layer, ModeDependent, StatisticsFreezable {
    /// Gamma, `[channels]`.
    public let weight: Parameter
    /// Beta, `[channels]`.
    public let bias: Parameter
    /// The running mean, `[channels]`.
    public let runningMean: Buffer
    /// The running (unbiased) variance, `[channels]`.
    public let runningVar: Buffer
    /// How many training-mode batches have updated the running statistics (a rank-0 tensor,
    /// like PyTorch's int64 scalar; exact up to 2^24 batches).
    public let numBatchesTracked: Buffer
    /// The weight of a new batch statistic in the running average; `nil` for a cumulative average.
    public var momentum: Float?
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Training (default) or evaluation mode.
    public var isTraining = true
    /// Normalize with, and never update, the running statistics even in training mode.
    public var freezesStatistics = false

    /// A freshly initialized layer: weight 1, bias 0, running mean 0, running variance 1.
    public init(channels: Int, momentum: Float? = 0.1, epsilon: Float = 1e-5) {
        precondition(channels > 0, "BatchNorm2d needs a positive channel count, got \(channels)")
        if let momentum { precondition(momentum >= 0 && momentum <= 1, "BatchNorm2d momentum \(momentum) outside [0, 1]") }
        precondition(epsilon >= 0, "BatchNorm2d epsilon must be non-negative")
        weight = Parameter(Tensor(ones: [channels]), role: .normalization)
        bias = Parameter(Tensor(zeros: [channels]), role: .normalization)
        runningMean = Buffer(Tensor(zeros: [channels]))
        runningVar = Buffer(Tensor(ones: [channels]))
        numBatchesTracked = Buffer(Tensor(0))
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// The number of channels.
    public var channels: Int { weight.shape[0] }

    /// Whether the next forward pass normalizes with batch statistics (and updates the running
    /// ones): training mode without frozen statistics.
    public var usesBatchStatistics: Bool { isTraining && !freezesStatistics }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public var ownBuffers: [(name: String, buffer: Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(input.value.rank == 4 && input.shape[1] == channels,
                     "BatchNorm2d(\(channels)) expects [N, \(channels), H, W], got \(input.shape)")
        guard usesBatchStatistics else {
            return Variable.batchNorm(input, gamma: weight.variable, beta: bias.variable,
                                      mean: runningMean.value, variance: runningVar.value, epsilon: epsilon)
        }
        let perChannel = input.shape[0] * input.shape[2] * input.shape[3]
        precondition(perChannel > 1, "BatchNorm2d: expected more than 1 value per channel when training, got input \(input.shape)")
        if let world = DataParallel.active {
            // The batch is split between ranks: normalize with the whole batch's statistics.
            let (output, batchMean, batchVariance, count) = Variable.batchNormTrainingSynchronized(
                input, gamma: weight.variable, beta: bias.variable, epsilon: epsilon) { DataParallel.allreduce(&$0, on: world) }
            updateRunningStatistics(mean: batchMean, biasedVariance: batchVariance, count: count)
            return output
        }
        let (output, batchMean, batchVariance) = Variable.batchNormTraining(
            input, gamma: weight.variable, beta: bias.variable, epsilon: epsilon)
        updateRunningStatistics(mean: batchMean, biasedVariance: batchVariance, count: perChannel)
        return output
    }

    /// Folds one batch's statistics into the running ones (in `Double`, as PyTorch's CPU kernel).
    private func updateRunningStatistics(mean: Tensor, biasedVariance: Tensor, count: Int) {
        let tracked = numBatchesTracked.value.scalar + 1
        numBatchesTracked.value = Tensor(tracked)
        let factor = momentum.map { Double($0) } ?? 1 / Double(tracked)
        let unbiasing = Double(count) / Double(count - 1)
        let batchMean = mean.scalars, batchVariance = biasedVariance.scalars
        let oldMean = runningMean.value.scalars, oldVariance = runningVar.value.scalars
        runningMean.value = Tensor(shape: [channels], generating: {
            Float((1 - factor) * Double(oldMean[$0]) + factor * Double(batchMean[$0]))
        })
        runningVar.value = Tensor(shape: [channels], generating: {
            Float((1 - factor) * Double(oldVariance[$0]) + factor * Double(batchVariance[$0]) * unbiasing)
        })
    }

    /// An independent deep copy: parameter values and update masks, running statistics, the
    /// batch count, momentum, epsilon, mode and `freezesStatistics`.
    public func clone() -> BatchNorm2d {
        let copy = BatchNorm2d(channels: channels, momentum: momentum, epsilon: epsilon)
        copy.weight.value = weight.value
        copy.bias.value = bias.value
        copy.weight.updateMask = weight.updateMask
        copy.bias.updateMask = bias.updateMask
        copy.runningMean.value = runningMean.value
        copy.runningVar.value = runningVar.value
        copy.numBatchesTracked.value = numBatchesTracked.value
        copy.isTraining = isTraining
        copy.freezesStatistics = freezesStatistics
        return copy
    }
}
