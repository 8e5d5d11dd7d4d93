import PACEngine
import PACNN

/// PAC-Net and its baselines on one trained source network: the one place that runs
/// prune -> allocate (once per ratio) -> select -> calibrate, for the benchmarks, the
/// bring-your-own-data workflow and the command line alike.
///
///     var pipeline = TransferPipeline(source: trained, sourceData: source, loss: .mse, schedules: .tabular)
///     try pipeline.allocate([0.8], seed: 0, stream: "allocate")
///     let outcome = try pipeline.transfer(.pacnet(ratio: .fixed(0.8), lambda: .auto), target: target,
///                                         streams: TransferStreams(seed: 0, training: "calibrate", selection: "select"))
///
/// Allocated networks are kept per ratio and shared by every later transfer (every sample size,
/// method and cross-validation fold). Every random draw comes from a stream the caller names,
/// so a result does not depend on which other transfers run, nor in what order.
public struct TransferPipeline<Network: Layer> {
    /// The training objective of both tasks.
    public let loss: Loss
    /// Epochs, batch sizes and learning rate of allocation and target training.
    public let schedules: StageSchedules
    /// How magnitude pruning ranks entries.
    public var pruningScope: PruningScope = .global
    /// Whether biases are pruned too.
    public var pruneBiases = false
    /// The grids of `auto` settings.
    public var selection = HyperparameterSelection()

    /// The trained source network (nil when the pipeline starts from allocated networks).
    public let source: Network?
    private let sourceData: Dataset?
    private let makeFresh: ((inout RandomGenerator) -> Network)?
    /// The allocated networks, in the order they were made.
    public private(set) var allocations: [(ratio: PruningRatio, model: PACNetModel<Network>)] = []

    /// A pipeline on a trained source network. `sourceData` is what allocation retrains on;
    /// `makeFresh` makes a new network of the same architecture (for `scratch`); `allocated`
    /// holds networks of this source already allocated, by ratio.
    public init(source: Network, sourceData: Dataset, loss: Loss, schedules: StageSchedules,
                makeFresh: ((inout RandomGenerator) -> Network)? = nil,
                allocated: [(ratio: PruningRatio, model: PACNetModel<Network>)] = []) {
        self.source = source
        self.sourceData = sourceData
        self.loss = loss
        self.schedules = schedules
        self.makeFresh = makeFresh
        self.allocations = allocated
    }

    /// A pipeline that calibrates networks already allocated (a model file at stage
    /// `allocated`); only PAC-Net and PackNet can run on it.
    public init(allocated: [(ratio: PruningRatio, model: PACNetModel<Network>)], loss: Loss, schedules: StageSchedules) {
        self.source = nil
        self.sourceData = nil
        self.makeFresh = nil
        self.loss = loss
        self.schedules = schedules
        self.allocations = allocated
    }

    /// The allocated network of `ratio`, if made.
    public func allocation(_ ratio: PruningRatio) -> PACNetModel<Network>? {
        allocations.first { $0.ratio == ratio }?.model
    }

    /// Stages 1 and 2 for every ratio not yet allocated, in order; each allocation shuffles
    /// with a fresh `stream` generator. `observe` sees the pruned and the allocated model.
    public mutating func allocate(
        _ ratios: [PruningRatio], seed: UInt64, stream: String,
        observe: (PACNetStage, PruningRatio, PACNetModel<Network>) throws(TrainingError) -> Void = { _, _, _ in }
    ) throws(TrainingError) {
        guard let source, let sourceData else { preconditionFailure("allocation needs the pipeline's source network and data") }
        for ratio in ratios where allocation(ratio) == nil {
            let pruning = MagnitudePruning(ratio: ratio, scope: pruningScope, includeBiases: pruneBiases)
            let pruned = PACNetModel.pruned(source, with: pruning)
            try observe(.pruned, ratio, pruned)
            var rng = RandomGenerator(seed: seed, stream: stream)
            let allocated = try TrainingProgress.stage(ratios.count > 1 ? "allocate r=\(ratio)" : "allocate") { () throws(TrainingError) in
                try pruned.allocated(on: sourceData, loss: loss, schedule: schedules.allocate(rows: sourceData.count), rng: &rng)
            }
            try observe(.allocated, ratio, allocated)
            allocations.append((ratio, allocated))
        }
    }

    /// Trains a target model with `method` on `target`: first, if it has `auto` settings (or
    /// `learningRate` is `auto`), chooses them by cross-validation on `target` (`selection`),
    /// then trains on all of `target` with the target schedule for its size, at `learningRate`
    /// (`nil`: the schedule's).
    public func transfer(_ method: Method, learningRate: Tunable<LearningRate>? = nil, target: Dataset,
                         streams: TransferStreams) throws(TrainingError) -> TransferOutcome<Network> {
        var choice: HyperparameterSelection.Choice?
        var fixed = method
        var rate = learningRate?.fixedValue
        if method.isAuto || learningRate == .auto {
            choice = try selection.select(method, learningRate: learningRate, in: self, target: target, seed: streams.seed,
                                          stream: streams.selection)
            fixed = choice!.method
            rate = choice!.learningRate
        }
        var rng = RandomGenerator(seed: streams.seed, stream: streams.training)
        let stopwatch = Stopwatch()
        let label = method.ratio == nil ? method.name.rawValue : "calibrate"
        var schedule = schedules.target(rows: target.count)
        if let rate { schedule.learningRate = rate.value }
        let result = try TrainingProgress.stage(label) { () throws(TrainingError) in
            try fixed.train(from: self, on: target, schedule: schedule, rng: &rng)
        }
        return TransferOutcome(method: fixed, learningRate: rate, result: result, selection: choice, seconds: stopwatch.elapsed)
    }

    // MARK: What methods start from

    func requireSource(for method: TransferMethod) -> Network {
        guard let source else { preconditionFailure("\(method) needs the pipeline's source network") }
        return source
    }

    func requireAllocation(_ ratio: PruningRatio) -> PACNetModel<Network> {
        guard let model = allocation(ratio) else { preconditionFailure("no allocated network for ratio \(ratio); allocate it first") }
        return model
    }

    func freshNetwork(_ rng: inout RandomGenerator) -> Network {
        guard let makeFresh else { preconditionFailure("scratch needs the pipeline's network factory") }
        return makeFresh(&rng)
    }
}

/// The random streams of one transfer: `training` shuffles (and initializes `scratch`),
/// `selection` names cross-validation's folds.
public struct TransferStreams: Sendable {
    public var seed: UInt64
    public var training: String
    public var selection: String

    public init(seed: UInt64, training: String, selection: String) {
        self.seed = seed
        self.training = training
        self.selection = selection
    }
}

/// What a transfer produced.
public struct TransferOutcome<Network: Layer> {
    /// The method as trained, every setting fixed (the chosen ones for `auto`).
    public let method: Method
    /// The target learning rate trained with, when given or chosen (`nil`: the schedule's).
    public let learningRate: LearningRate?
    public let result: TransferResult<Network>
    /// Cross-validation's details, for a method with `auto` settings.
    public let selection: HyperparameterSelection.Choice?
    /// Time of the final training (selection's is in `selection`).
    public let seconds: Double
}
