import PACDistributed
import PACEngine

/// Mini-batch training: each epoch shuffles the rows, then takes one optimizer step per batch
/// (the last batch may be smaller, like PyTorch's `DataLoader` with `drop_last=False`).
///
/// Steps run through the autodiff graph, except for an `MLP` whose objective is its data loss
/// plus `ParameterPenalty`s: `MLPTrainingRun` runs those without a graph, with the same bits.
public struct Trainer {
    public var epochs: Int
    public var batchSize: Int
    public var loss: Loss
    /// What each step minimizes besides the data loss (`Objective`).
    public var objective: Objective

    public init(epochs: Int, batchSize: Int, loss: Loss, objective: Objective = .dataLoss) {
        precondition(epochs >= 0 && batchSize > 0, "epochs must be >= 0 and batch size > 0")
        self.epochs = epochs
        self.batchSize = batchSize
        self.loss = loss
        self.objective = objective
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
    /// - Throws: `TrainingError.nonFiniteLoss` as soon as a step's loss is NaN or infinite, and
    ///   `TrainingError.explodingLoss` as soon as it exceeds `divergenceFactor` times the first
    ///   step's (or 1, if that is smaller): a finite loss that has blown up is a diverged run too.
    @discardableResult
    public func fit(_ model: some Layer, optimizer: some Optimizer, inputs: Tensor, targets: Tensor,
                    rng: inout RandomGenerator) throws(TrainingError) -> [Double] {
        let n = inputs.shape[0]
        precondition(n > 0 && targets.shape[0] == n, "fit: \(n) inputs vs \(targets.shape[0]) targets")
        model.setTraining(true)
        if let world = DataParallel.active {
            return try fitDataParallel(model, optimizer: optimizer, inputs: inputs, targets: targets, world: world, rng: &rng)
        }
        if Self.runsMLPsWithoutGraph, let mlp = model as? MLP, let penalties = objective.parameterPenalties,
           let run = MLPTrainingRun(mlp, trainer: self, penalties: penalties, inputs: inputs) {
            return try run.fit(optimizer: optimizer, inputs: inputs, targets: targets, rng: &rng)
        }
        return try fitThroughGraph(model, optimizer: optimizer, inputs: inputs, targets: targets, rng: &rng)
    }

    /// `fit` through the autodiff graph, for any model and objective.
    func fitThroughGraph(_ model: some Layer, optimizer: some Optimizer, inputs: Tensor, targets: Tensor,
                         rng: inout RandomGenerator) throws(TrainingError) -> [Double] {
        try forEachBatch(rows: inputs.shape[0], rng: &rng) { batch in
            graphStep(model, optimizer: optimizer, inputs: inputs, targets: targets, rows: batch)
        }
    }

    /// One batch through the graph: the objective on `rows`, and its update.
    private func graphStep(_ model: some Layer, optimizer: some Optimizer, inputs: Tensor, targets: Tensor, rows: [Int]) -> BatchStep {
        let input = Variable(inputs.gatherRows(rows))
        let (prediction, penalties) = objective.forward(model, input)
        let dataLoss = loss(prediction, targets.gatherRows(rows))
        let total = penalties.reduce(dataLoss, +)
        return BatchStep(dataLoss: dataLoss.value.scalar, total: { _ in total.value.scalar }) {
            optimizer.zeroGrad()
            total.backward()
            optimizer.step()
        }
    }

    /// `fitThroughGraph` with each batch split between the ranks of `world` (see `DataParallel`):
    /// every rank shuffles alike, computes its rows' share of the loss (weighted by its share of
    /// the batch, the penalties on rank 0 only), and one allreduce sums the gradients and the
    /// loss before every rank applies the same step. A batch with fewer rows than ranks is
    /// computed whole by every rank, without communication.
    func fitDataParallel(_ model: some Layer, optimizer: some Optimizer, inputs: Tensor, targets: Tensor,
                         world: any Communicator, rng: inout RandomGenerator) throws(TrainingError) -> [Double] {
        let parameters = model.parameters()
        return try forEachBatch(rows: inputs.shape[0], rng: &rng) { batch in
            guard batch.count >= world.size else {
                return DataParallel.local { graphStep(model, optimizer: optimizer, inputs: inputs, targets: targets, rows: batch) }
            }
            let rows = Array(batch[DataParallel.share(of: batch.count, rank: world.rank, size: world.size)])
            let weight = Float(rows.count) / Float(batch.count)
            let input = Variable(inputs.gatherRows(rows))
            let (prediction, penalties) = objective.forward(model, input)
            let dataLoss = loss(prediction, targets.gatherRows(rows)) * weight
            let total = world.isRoot ? penalties.reduce(dataLoss, +) : dataLoss
            optimizer.zeroGrad()
            total.backward()
            // One message: every gradient (in parameter order; a parameter outside the graph has
            // none on every rank alike), then the data loss and the total.
            let withGradients = parameters.filter { $0.grad != nil }
            var buffer = [Float]()
            buffer.reserveCapacity(withGradients.reduce(2) { $0 + $1.value.count })
            for parameter in withGradients { buffer += parameter.grad!.scalars }
            buffer += [dataLoss.value.scalar, total.value.scalar]
            DataParallel.allreduce(&buffer, on: world)
            var offset = 0
            for parameter in withGradients {
                let count = parameter.value.count
                parameter.variable.grad = Tensor(shape: parameter.shape, scalars: Array(buffer[offset..<(offset + count)]))
                offset += count
            }
            let (batchLoss, batchTotal) = (buffer[offset], buffer[offset + 1])
            return BatchStep(dataLoss: batchLoss, total: { _ in batchTotal }) { optimizer.step() }
        }
    }

    /// What a batch's step computed before its update: the data loss, the total loss the
    /// divergence check reads (given the limit, which lets a step skip summing it exactly when
    /// it can prove the total below it) and the update to apply once the checks pass.
    struct BatchStep {
        let dataLoss: Float
        let total: (_ limit: Float?) -> Float
        let update: () -> Void
    }

    /// The loop every training path shares: each epoch shuffles the `n` rows, `step` computes
    /// each batch, the loss is checked for divergence before the update, and progress and the
    /// epochs' mean data losses are recorded.
    func forEachBatch(rows n: Int, rng: inout RandomGenerator, _ step: ([Int]) -> BatchStep) throws(TrainingError) -> [Double] {
        var history: [Double] = []
        let stepsPerEpoch = (n + batchSize - 1) / batchSize
        var limit: Float?
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            let order = rng.permutation(n)
            var sum = 0.0
            var steps = 0
            for start in stride(from: 0, to: n, by: batchSize) {
                let batch = step(Array(order[start..<min(n, start + batchSize)]))
                let value = batch.total(limit)
                guard value.isFinite else { throw .nonFiniteLoss(epoch: epoch, step: steps + 1, value: value) }
                if let limit, value > limit {
                    throw .explodingLoss(epoch: epoch, step: steps + 1, value: value, initial: limit / Self.divergenceFactor)
                }
                if limit == nil { limit = Self.divergenceFactor * max(value, 1) }
                batch.update()
                sum += Double(batch.dataLoss)
                steps += 1
                TrainingProgress.report(StepReport(epoch: epoch, epochs: epochs, step: steps, stepsPerEpoch: stepsPerEpoch,
                                                   loss: sum / Double(steps)))
            }
            history.append(sum / Double(steps))
        }
        return history
    }
}

extension Trainer {
    /// Whether `fit` trains an `MLP` whose objective is its data loss plus parameter penalties
    /// through `MLPTrainingRun` (same bits, no graph). Off only to measure or test the graph path
    /// against it; set it before training starts.
    nonisolated(unsafe) public static var runsMLPsWithoutGraph = true

    /// How far above its first step's loss (floored at 1) a loss may climb before the run counts
    /// as diverged; no converging run comes near it, an unstable one passes it within steps.
    public static let divergenceFactor: Float = 1e4
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
    /// The loss stayed finite but grew past `Trainer.divergenceFactor` times `initial`.
    case explodingLoss(epoch: Int, step: Int, value: Float, initial: Float)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let step, let value):
            "training diverged: loss is \(value) at epoch \(epoch), step \(step) (try a smaller learning rate)"
        case .explodingLoss(let epoch, let step, let value, let initial):
            "training diverged: loss grew from \(initial) to \(value) at epoch \(epoch), step \(step) (try a smaller learning rate)"
        }
    }
}
