import Dispatch
import Foundation
import PACEngine
import PACNN
import PACNet

/// Runs a transfer task for every seed, sample size and method, and reports each result as an
/// `ExperimentRecord`.
///
/// Per seed: train the source model; if PAC-Net is compared, prune and allocate it (scoring the
/// source model after each stage); then for every `n_target` and method, train on the first
/// `n_target` target samples and score on the target and source test sets. Every random draw
/// comes from a stream named after its purpose (`init/source`, `target/l2sp/50`, ...), so a
/// result does not depend on which other methods, sizes or seeds run, nor on parallelism.
public struct TransferExperiment<Task: TransferTask>: Sendable {
    public let task: Task
    public let configuration: ExperimentConfiguration
    /// Called with every trained model, in the task's units (for plots of predictions); runs on
    /// the seed's thread.
    public var onResult: (@Sendable (UInt64, Int, TransferMethod, MethodVariant, TransferResult<Task.Network>, TransferData) -> Void)?

    public init(task: Task, configuration: ExperimentConfiguration) {
        precondition(configuration.validationError() == nil, configuration.validationError() ?? "")
        precondition(!configuration.standardize || Task.Network.self is any StandardizationFolding.Type,
                     "\(task.name): standardization needs a network that can fold it")
        self.task = task
        self.configuration = configuration
    }

    /// Runs every seed, `configuration.parallelSeeds` at a time, calling `onRecord` with the
    /// records of each seed in seed order as soon as that seed and all before it are done.
    ///
    /// - Returns: all records in seed order.
    @discardableResult
    public func run(onRecord: @escaping (ExperimentRecord) -> Void = { _ in }) throws -> [ExperimentRecord] {
        let seeds = configuration.seeds
        let workers = min(configuration.parallelSeeds, seeds.count)
        if workers <= 1 {
            var all: [ExperimentRecord] = []
            for seed in seeds { try run(seed: seed) { all.append($0); onRecord($0) } }
            return all
        }
        let collector = OrderedCollector(count: seeds.count, onRecord: onRecord)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = collector.claim() {
                do {
                    var records: [ExperimentRecord] = []
                    try run(seed: seeds[index]) { records.append($0) }
                    collector.finish(index, records)
                } catch {
                    collector.fail(error)
                }
            }
        }
        return try collector.result()
    }

    /// Runs one seed, calling `onRecord` as each result is measured.
    public func run(seed: UInt64, onRecord: (ExperimentRecord) -> Void) throws(TrainingError) {
        let config = configuration
        let data = task.makeData(seed: seed, targetPoolSize: config.targetSizes.max()!)
        // Training data, standardized with the source training statistics when asked; test data
        // stays raw and is scored through the folded network (`scoringView`).
        let standardization = config.standardize
            ? Standardization(inputs: data.sourceTrain.inputs, targets: task.loss == .mse ? data.sourceTrain.targets : nil) : nil
        let sourceTrain = standardization?.apply(to: data.sourceTrain) ?? data.sourceTrain
        let targetPool = standardization?.apply(to: data.targetTrain) ?? data.targetTrain
        func scores(_ model: Task.Network, _ side: TaskSide) -> [Double] {
            task.scores(Self.scoringView(model, standardization), side: side, data: data)
        }

        var initRNG = RandomGenerator(seed: seed, stream: "init/source")
        let source = task.makeNetwork(rng: &initRNG)
        var stopwatch = Stopwatch()
        var sourceRNG = RandomGenerator(seed: seed, stream: "shuffle/source")
        try config.sourceSchedule.train(source, on: sourceTrain, loss: task.loss, rng: &sourceRNG)
        onRecord(.stage(stageRecord(seed, .source, nil, scores(source, .source), stopwatch.lap())))

        // One pruned-and-allocated network per ratio (the selection grid's too), shared by every
        // sample size, method and cross-validation fold.
        var allocated: [Double: PACNetModel<Task.Network>] = [:]
        let ratios = config.allocatedRatios
        if config.methods.contains(where: \.usesRatio) {
            for ratio in ratios {
                let label = ratios.count > 1 ? ratio : nil
                let pruning = MagnitudePruning(ratio: ratio, scope: config.pruningScope, includeBiases: config.pruneBiases)
                let pacnet = PACNetModel.prune(source, with: pruning)
                onRecord(.stage(stageRecord(seed, .pruned, label, scores(pacnet.network, .source), stopwatch.lap())))
                var allocateRNG = RandomGenerator(seed: seed, stream: "shuffle/allocate")
                try pacnet.allocate(on: sourceTrain, loss: task.loss, schedule: config.allocateSchedule, rng: &allocateRNG)
                onRecord(.stage(stageRecord(seed, .allocated, label, scores(pacnet.network, .source), stopwatch.lap())))
                allocated[ratio] = pacnet
            }
        }

        let sweep = config.isSweep
        for n in config.targetSizes {
            let target = targetPool.prefix(n)
            for method in config.methods {
                for variant in config.variants(of: method) {
                    var setup = TransferSetup(
                        source: source, allocated: allocated[variant.ratio ?? config.ratio],
                        makeFresh: { task.makeNetwork(rng: &$0) }, loss: task.loss, schedule: config.targetSchedule(n),
                        lambda: variant.lambda ?? config.lambda, baselines: config.baselines)
                    var selection: SelectionOutcome?
                    if variant.isAuto {
                        // Cross-validation on the n target training samples only.
                        let choice = try config.selection.select(
                            method, ratio: variant.autoRatio ? nil : variant.ratio, lambda: variant.autoLambda ? nil : variant.lambda,
                            base: setup, allocated: { allocated[$0] }, schedule: config.targetSchedule, target: target,
                            seed: seed, stream: "select/\(method.rawValue)/\(n)")
                        selection = SelectionOutcome(autoRatio: variant.autoRatio, autoLambda: variant.autoLambda,
                                                     ratio: choice.ratio, lambda: choice.lambda, seconds: choice.seconds)
                        setup = setup.with(allocated: choice.ratio.flatMap { allocated[$0] } ?? setup.allocated,
                                           schedule: setup.schedule, lambda: choice.lambda ?? setup.lambda)
                    }
                    // Variants share the method's stream: an ablation compares settings, not shuffles.
                    var rng = RandomGenerator(seed: seed, stream: "target/\(method.rawValue)/\(n)")
                    _ = stopwatch.lap()
                    let result = try method.run(setup, target: target, rng: &rng)
                    let seconds = stopwatch.lap()
                    onResult?(seed, n, method, variant, TransferResult(
                        targetModel: Self.scoringView(result.targetModel, standardization),
                        sourceModel: result.sourceModel.map { Self.scoringView($0, standardization) }), data)
                    onRecord(.transfer(TransferRecord(
                        task: task.name, seed: seed, nTarget: n, method: method,
                        ratio: sweep && !variant.isAuto ? variant.ratio : nil, lambda: sweep && !variant.isAuto ? variant.lambda : nil,
                        targetScores: scores(result.targetModel, .target),
                        sourceScores: result.sourceModel.map { scores($0, .source) },
                        seconds: seconds, selection: selection)))
                }
            }
        }
    }

    /// The network in the task's units: with standardization, a copy with it folded in.
    static func scoringView(_ model: Task.Network, _ standardization: Standardization?) -> Task.Network {
        guard let standardization else { return model }
        guard let foldable = model as? any StandardizationFolding else {
            preconditionFailure("standardization needs a network that can fold it (StandardizationFolding)")
        }
        return foldable.folding(standardization) as! Task.Network
    }

    private func stageRecord(_ seed: UInt64, _ stage: PipelineStage, _ ratio: Double?, _ scores: [Double],
                             _ seconds: Double) -> StageRecord {
        StageRecord(task: task.name, seed: seed, stage: stage, ratio: ratio, sourceScores: scores, seconds: seconds)
    }
}

/// Hands out seed indices to workers and releases finished seeds' records in order.
private final class OrderedCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var flushed = 0
    private var finished: [[ExperimentRecord]?]
    private var all: [ExperimentRecord] = []
    private var error: Error?
    private let onRecord: (ExperimentRecord) -> Void

    init(count: Int, onRecord: @escaping (ExperimentRecord) -> Void) {
        finished = Array(repeating: nil, count: count)
        self.onRecord = onRecord
    }

    func claim() -> Int? {
        lock.withLock {
            guard error == nil, next < finished.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func finish(_ index: Int, _ records: [ExperimentRecord]) {
        lock.withLock {
            finished[index] = records
            while flushed < finished.count, let ready = finished[flushed] {
                ready.forEach(onRecord)
                all += ready
                flushed += 1
            }
        }
    }

    func fail(_ error: Error) { lock.withLock { if self.error == nil { self.error = error } } }

    func result() throws -> [ExperimentRecord] {
        try lock.withLock {
            if let error { throw error }
            return all
        }
    }
}
