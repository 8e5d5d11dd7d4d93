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
    /// Only the last layer trained on the target, from the source model.
    case freeze
    /// PAC-Net without the regularizer (lambda = 0): PackNet-style reuse of the pruned weights.
    case packnet

    /// Whether the method keeps a model of the source task to score after transfer.
    public var hasSourceModel: Bool { self != .scratch }

    /// The methods the original benchmark compares (`friedman`'s default).
    public static let core: [TransferMethod] = [.scratch, .finetune, .l2sp, .pacnet]
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
    /// The parameters of a network's last layer: the last weight and the parameters sharing its
    /// module path (its bias).
    public static func lastLayerParameters(of model: some Module) -> [Parameter] {
        let named = model.namedParameters()
        guard let last = named.last(where: { $0.parameter.role == .weight }) else { return [] }
        let prefix = last.name.split(separator: ".").dropLast().joined(separator: ".")
        return named.filter { $0.name.split(separator: ".").dropLast().joined(separator: ".") == prefix }.map(\.parameter)
    }

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
        case .pacnet, .packnet:
            guard let allocated = setup.allocated else { preconditionFailure("\(self) needs an allocated network") }
            let calibrated = try allocated.calibrated(on: target, loss: setup.loss, schedule: setup.schedule,
                                                      lambda: self == .packnet ? 0 : setup.lambda, rng: &rng)
            return TransferResult(targetModel: calibrated.targetModel, sourceModel: calibrated.sourceModel())
        case .freeze:
            let model = setup.source.clone()
            let trainable = Set(Self.lastLayerParameters(of: model).map(ObjectIdentifier.init))
            for parameter in model.parameters() where !trainable.contains(ObjectIdentifier(parameter)) { parameter.freeze() }
            defer { model.parameters().forEach { $0.unfreeze() } }
            try setup.schedule.train(model, on: target, loss: setup.loss, rng: &rng)
            return TransferResult(targetModel: model, sourceModel: model)
        }
    }
}
