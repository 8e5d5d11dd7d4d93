import PACEngine
import PACNN

/// How one training stage runs: epochs and batch size with a fresh Adam optimizer
/// (PyTorch defaults: betas 0.9/0.999, eps 1e-8), as every stage of the benchmark uses.
public struct TrainingSchedule: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float

    public init(epochs: Int, batchSize: Int, learningRate: Float = LearningRate.standard.value) {
        precondition(epochs >= 0 && batchSize > 0 && learningRate > 0, "invalid schedule: \(epochs) epochs, batch \(batchSize), lr \(learningRate)")
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
    }

    /// Trains every entry of `model` allowed by its parameters' update masks, with a fresh Adam.
    @discardableResult
    public func train(_ model: some Layer, on data: Dataset, loss: Loss, objective: Objective = .dataLoss,
                      rng: inout RandomGenerator) throws(TrainingError) -> [Double] {
        let optimizer = Adam(parameters: model.parameters(), learningRate: learningRate)
        let trainer = Trainer(epochs: epochs, batchSize: batchSize, loss: loss, objective: objective)
        return try trainer.fit(model, optimizer: optimizer, inputs: data.inputs, targets: data.targets, rng: &rng)
    }
}
