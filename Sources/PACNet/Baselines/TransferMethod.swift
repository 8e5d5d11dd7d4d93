import PACEngine
import PACNN

/// The ways of training a model for the target task that the benchmark compares.
public enum TransferMethod: String, CaseIterable, Sendable {
    /// A fresh network trained on the target data only.
    case scratch
    /// All weights trained on the target, starting from the source model.
    case finetune
    /// Fine-tuning plus `lambda * sum (w - w_source)^2` over all parameters.
    case l2sp
    /// Prune -> allocate -> calibrate (`PACNetModel`).
    case pacnet

    /// Whether the method keeps a model of the source task to score after transfer.
    public var hasSourceModel: Bool { self != .scratch }
}

/// What a transfer method starts from.
public struct TransferSetup<Network: Layer> {
    /// The trained source model (before pruning).
    public let source: Network
    /// The allocated PAC-Net network; needed by `.pacnet`.
    public let allocated: PACNetModel<Network>?
    /// Makes a freshly initialized network of the same architecture (for `.scratch`).
    public let makeFresh: (inout RandomGenerator) -> Network
    public let loss: Loss
    /// The target-training schedule, shared by every method.
    public let schedule: TrainingSchedule
    /// The regularization strength of `.l2sp` and `.pacnet`.
    public let lambda: Float

    public init(source: Network, allocated: PACNetModel<Network>?, makeFresh: @escaping (inout RandomGenerator) -> Network,
                loss: Loss, schedule: TrainingSchedule, lambda: Float) {
        self.source = source
        self.allocated = allocated
        self.makeFresh = makeFresh
        self.loss = loss
        self.schedule = schedule
        self.lambda = lambda
    }
}

/// A transferred model and, where the method keeps one, its model of the source task.
public struct TransferResult<Network: Layer> {
    public let targetModel: Network
    /// `nil` for `.scratch`; the masked network for `.pacnet`; the target model itself otherwise.
    public let sourceModel: Network?
}

extension TransferMethod {
    /// Trains a target model with this method. `rng` drives initialization (scratch) and shuffling.
    public func run<Network: Layer>(_ setup: TransferSetup<Network>, target: Dataset,
                                    rng: inout RandomGenerator) throws(TrainingError) -> TransferResult<Network> {
        switch self {
        case .scratch:
            let model = setup.makeFresh(&rng)
            try setup.schedule.train(model, on: target, loss: setup.loss, rng: &rng)
            return TransferResult(targetModel: model, sourceModel: nil)
        case .finetune, .l2sp:
            let model = setup.source.clone()
            let penalty = self == .l2sp ? Penalty.l2sp(model, reference: setup.source, lambda: setup.lambda) : nil
            try setup.schedule.train(model, on: target, loss: setup.loss, rng: &rng, regularizer: penalty)
            return TransferResult(targetModel: model, sourceModel: model)
        case .pacnet:
            guard let allocated = setup.allocated else { preconditionFailure("pacnet needs an allocated network") }
            let calibrated = try allocated.calibrated(on: target, loss: setup.loss, schedule: setup.schedule,
                                                      lambda: setup.lambda, rng: &rng)
            return TransferResult(targetModel: calibrated.targetModel, sourceModel: calibrated.sourceModel())
        }
    }
}
