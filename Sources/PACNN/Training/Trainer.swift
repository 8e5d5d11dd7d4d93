import PACEngine

/// Mini-batch training: each epoch shuffles the rows, then takes one optimizer step per batch
/// (the last batch may be smaller, like PyTorch's `DataLoader` with `drop_last=False`).
public struct Trainer {
    public var epochs: Int
    public var batchSize: Int
    public var loss: Loss
    /// A penalty added to the data loss at every step (for example L2-SP or PAC-Net's).
    public var regularizer: (() -> Variable)?
    /// Replaces `model(batch)` for penalties that depend on the batch's forward pass (DELTA's
    /// feature maps, BSS's features): returns the prediction and a penalty added to the loss.
    public var forward: BatchForward?
    /// Called after every epoch.
    public var onEpoch: ((EpochReport) -> Void)?
    /// Called after every optimizer step (for progress displays).
    public var onStep: ((StepReport) -> Void)?

    public init(epochs: Int, batchSize: Int, loss: Loss, regularizer: (() -> Variable)? = nil, forward: BatchForward? = nil,
                onEpoch: ((EpochReport) -> Void)? = nil, onStep: ((StepReport) -> Void)? = nil) {
        precondition(epochs >= 0 && batchSize > 0, "epochs must be >= 0 and batch size > 0")
        self.epochs = epochs
        self.batchSize = batchSize
        self.loss = loss
        self.regularizer = regularizer
        self.forward = forward
        self.onEpoch = onEpoch
        self.onStep = onStep
    }

    /// Trains `model` in place on `inputs` (`[N, ...]`) and `targets` (`[N, ...]`).
    ///
    /// The model is put into training mode first (`setTraining(true)`, PyTorch's `model.train()`)
    /// and left in it: batch normalization normalizes with batch statistics and updates its
    /// running statistics, except layers with `freezesStatistics`, which this does not touch (it
    /// is the way to keep statistics fixed while training; a module set to evaluation mode
    /// beforehand is switched back to training mode). Inference with `predict` runs in evaluation
    /// mode regardless, so the mode left behind does not affect predictions.
    ///
    /// - Returns: the mean data loss of each epoch.
    /// - Throws: `TrainingError.nonFiniteLoss` as soon as a step's loss is NaN or infinite.
    @discardableResult
    public func fit(_ model: some Layer, optimizer: some Optimizer, inputs: Tensor, targets: Tensor,
                    rng: inout RandomGenerator) throws(TrainingError) -> [Double] {
        let n = inputs.shape[0]
        precondition(n > 0 && targets.shape[0] == n, "fit: \(n) inputs vs \(targets.shape[0]) targets")
        model.setTraining(true)
        var history: [Double] = []
        let stepsPerEpoch = (n + batchSize - 1) / batchSize
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            let order = rng.permutation(n)
            var total = 0.0
            var steps = 0
            for start in stride(from: 0, to: n, by: batchSize) {
                let batch = Array(order[start..<min(n, start + batchSize)])
                let input = Variable(inputs.gatherRows(batch))
                let (prediction, batchPenalty) = forward.map { $0(input) } ?? (model(input), nil)
                let dataLoss = loss(prediction, targets.gatherRows(batch))
                var objective = regularizer.map { dataLoss + $0() } ?? dataLoss
                if let batchPenalty { objective = objective + batchPenalty }
                let value = objective.value.scalar
                guard value.isFinite else { throw .nonFiniteLoss(epoch: epoch, step: steps + 1, value: value) }
                optimizer.zeroGrad()
                objective.backward()
                optimizer.step()
                total += Double(dataLoss.value.scalar)
                steps += 1
                onStep?(StepReport(epoch: epoch, epochs: epochs, step: steps, stepsPerEpoch: stepsPerEpoch,
                                   loss: total / Double(steps)))
            }
            history.append(total / Double(steps))
            onEpoch?(EpochReport(epoch: epoch, epochs: epochs, loss: total / Double(steps)))
        }
        return history
    }
}

/// A forward pass with a batch-dependent penalty: the prediction for the batch and the penalty
/// to add to the loss (`nil` for none).
public typealias BatchForward = (Variable) -> (prediction: Variable, penalty: Variable?)

/// Progress after one epoch.
public struct EpochReport: Sendable {
    public let epoch: Int
    public let epochs: Int
    /// Mean data loss over the epoch's batches.
    public let loss: Double
}

/// Progress after one optimizer step.
public struct StepReport: Sendable {
    public let epoch: Int
    public let epochs: Int
    /// Step within the epoch, from 1.
    public let step: Int
    public let stepsPerEpoch: Int
    /// Mean data loss of the epoch's steps so far.
    public let loss: Double
}

/// Why training stopped.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int, step: Int, value: Float)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let step, let value):
            "training diverged: loss is \(value) at epoch \(epoch), step \(step) (try a smaller learning rate)"
        }
    }
}
