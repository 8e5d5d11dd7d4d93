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
    /// Fine-tuning plus DELTA's feature-map distance to the source network on each target batch
    /// (`FeatureMapPenalty`) and L2-SP on the head.
    case delta
    /// Fine-tuning plus batch spectral shrinkage of the head's input features
    /// (`SpectralShrinkage`).
    case bss

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
    /// The strengths of the other regularized baselines.
    public let baselines: BaselineSettings

    public init(source: Network, allocated: PACNetModel<Network>?, makeFresh: @escaping (inout RandomGenerator) -> Network,
                loss: Loss, schedule: TrainingSchedule, lambda: Float, baselines: BaselineSettings = BaselineSettings()) {
        self.source = source
        self.allocated = allocated
        self.makeFresh = makeFresh
        self.loss = loss
        self.schedule = schedule
        self.lambda = lambda
        self.baselines = baselines
    }
}

/// The settings of the DELTA and BSS baselines; the defaults are their papers'.
public struct BaselineSettings: Sendable, Equatable {
    /// DELTA's feature-map weight (alpha; the paper's 0.01).
    public var deltaFeatureWeight: Float = 0.01
    /// DELTA's L2-SP weight on the head (beta; the paper's 0.01).
    public var deltaHeadWeight: Float = 0.01
    /// BSS's weight (eta; the paper's 0.001).
    public var bssWeight: Float = 0.001
    /// How many of the smallest singular values BSS shrinks (k; the paper's 1).
    public var bssCount = 1

    public init() {}
}

/// A transferred model and, where the method keeps one, its model of the source task.
public struct TransferResult<Network: Layer> {
    public let targetModel: Network
    /// `nil` for `.scratch`; the masked network for `.pacnet`; the target model itself otherwise.
    public let sourceModel: Network?

    public init(targetModel: Network, sourceModel: Network?) {
        self.targetModel = targetModel
        self.sourceModel = sourceModel
    }
}

extension TransferMethod {
    /// The head of a network for the target task: the target head of a multi-task network
    /// (`TaskHeads`), otherwise the last layer.
    public static func headParameters(of model: some Layer) -> [Parameter] {
        TaskHeads.isMultiTask(model) ? TaskHeads.parameters(of: TaskHeads.target, in: model) : lastLayerParameters(of: model)
    }

    /// The parameters of a network's last layer: the last weight and the parameters sharing its
    /// module path (its bias).
    public static func lastLayerParameters(of model: some Module) -> [Parameter] {
        let named = model.namedParameters()
        guard let last = named.last(where: { $0.parameter.role == .weight }) else { return [] }
        let prefix = last.name.split(separator: ".").dropLast().joined(separator: ".")
        return named.filter { $0.name.split(separator: ".").dropLast().joined(separator: ".") == prefix }.map(\.parameter)
    }

    /// Trains a target model with this method. `rng` drives initialization (scratch) and shuffling.
    ///
    /// Multi-task networks train and predict through the target head; their source model is a
    /// copy with the source head selected.
    public func run<Network: Layer>(_ setup: TransferSetup<Network>, target: Dataset,
                                    rng: inout RandomGenerator) throws(TrainingError) -> TransferResult<Network> {
        switch self {
        case .scratch:
            let model = setup.makeFresh(&rng)
            TaskHeads.select(TaskHeads.target, in: model)
            try setup.schedule.train(model, on: target, loss: setup.loss, rng: &rng)
            return TransferResult(targetModel: model, sourceModel: nil)
        case .finetune, .l2sp, .delta, .bss:
            let model = setup.source.clone()
            TaskHeads.select(TaskHeads.target, in: model)
            var regularizer: (() -> Variable)?
            var forward: BatchForward?
            switch self {
            case .l2sp:
                regularizer = Penalty.l2sp(model, reference: setup.source, lambda: setup.lambda)
            case .delta:
                forward = FeatureMapPenalty(source: setup.source, weight: setup.baselines.deltaFeatureWeight).forward(of: model)
                regularizer = Penalty.l2sp(Self.headParameters(of: model), lambda: setup.baselines.deltaHeadWeight)
            case .bss:
                forward = SpectralShrinkage(weight: setup.baselines.bssWeight, count: setup.baselines.bssCount).forward(of: model)
            default:
                break
            }
            try setup.schedule.train(model, on: target, loss: setup.loss, rng: &rng, regularizer: regularizer, forward: forward)
            return TransferResult(targetModel: model, sourceModel: Self.sourceView(of: model))
        case .pacnet, .packnet:
            guard let allocated = setup.allocated else { preconditionFailure("\(self) needs an allocated network") }
            let calibrated = try allocated.calibrated(on: target, loss: setup.loss, schedule: setup.schedule,
                                                      lambda: self == .packnet ? 0 : setup.lambda, rng: &rng)
            return TransferResult(targetModel: calibrated.targetModel, sourceModel: calibrated.sourceModel())
        case .freeze:
            let model = setup.source.clone()
            TaskHeads.select(TaskHeads.target, in: model)
            let trainable = Set(Self.headParameters(of: model).map(ObjectIdentifier.init))
            for parameter in model.parameters() where !trainable.contains(ObjectIdentifier(parameter)) { parameter.freeze() }
            defer { model.parameters().forEach { $0.unfreeze() } }
            // A frozen feature extractor: its normalization statistics stay the source's too.
            try model.withStatisticsFrozen { () throws(TrainingError) in
                _ = try setup.schedule.train(model, on: target, loss: setup.loss, rng: &rng)
            }
            return TransferResult(targetModel: model, sourceModel: Self.sourceView(of: model))
        }
    }

    /// The model of the source task inside a transferred network: the network itself, or for a
    /// multi-task network a copy with the source head selected.
    static func sourceView<Network: Layer>(of model: Network) -> Network {
        guard TaskHeads.isMultiTask(model) else { return model }
        let view = model.clone()
        TaskHeads.select(TaskHeads.source, in: view)
        return view
    }
}
