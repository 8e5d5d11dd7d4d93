import Dispatch
import Foundation
import PACEngine
import PACNN
import PACNet

/// Runs a transfer task for every seed, sample size and method, and reports each result as an
/// `ExperimentRecord`.
///
/// Per seed: train the source model; if PAC-Net is compared, prune and allocate it through the
/// `TransferPipeline` (scoring the source model after each stage); then for every `n_target`
/// and method, transfer with the first `n_target` target samples and score on the target and
/// source test sets. Every random draw comes from a stream named after its purpose
/// (`init/source`, `target/l2sp/50`, ...), so a result does not depend on which other methods,
/// sizes or seeds run, nor on parallelism.
public struct TransferExperiment<Benchmark: TransferTask>: Sendable {
    public let task: Benchmark
    public let configuration: ExperimentConfiguration
    /// Called with every trained model, in the task's units (for plots of predictions); runs on
    /// the seed's thread.
    public var onResult: (@Sendable (UInt64, Int, Method, TransferResult<Benchmark.Network>, TransferData) -> Void)?

    /// An experiment with a valid configuration (`ExperimentConfiguration.validate`).
    public init(task: Benchmark, configuration: ExperimentConfiguration) throws(SettingError) {
        try configuration.validate()
        if configuration.methods.contains(where: \.usesRatio) {
            var rng = RandomGenerator(seed: 0, stream: "check")
            let network = task.makeNetwork(rng: &rng)
            for ratio in configuration.allocatedRatios {
                try MagnitudePruning(ratio: ratio, scope: configuration.pruningScope, includeBiases: configuration.pruneBiases).check(for: network)
            }
        }
        if configuration.standardize && !(Benchmark.Network.self is any StandardizationFolding.Type) {
            throw SettingError("standardization", must: "used with a network that can fold it", got: task.name)
        }
        self.task = task
        self.configuration = configuration
    }

    /// Runs every seed, `configuration.parallelSeeds` at a time (when there are fewer seeds, the
    /// spare threads run each seed's cells), calling `onRecord` with the records of each seed in
    /// seed order as soon as that seed and all before it are done.
    ///
    /// - Returns: all records in seed order.
    @discardableResult
    public func run(onRecord: @escaping (ExperimentRecord) -> Void = { _ in }) throws -> [ExperimentRecord] {
        let seeds = configuration.seeds
        let workers = min(configuration.parallelSeeds, seeds.count)
        // Threads the seeds leave idle go to each seed's cells.
        let cellWorkers = max(1, configuration.parallelSeeds / max(workers, 1))
        if workers <= 1 {
            var all: [ExperimentRecord] = []
            for seed in seeds { try run(seed: seed, cellWorkers: cellWorkers) { all.append($0); onRecord($0) } }
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

    /// Runs one seed, calling `onRecord` with each result in order; the transfers of its
    /// sample sizes and methods run on `cellWorkers` threads (results do not depend on it).
    public func run(seed: UInt64, cellWorkers: Int = 1, onRecord: (ExperimentRecord) -> Void) throws(TrainingError) {
        try run(seed: seed, cellWorkers: cellWorkers, runsCell: { _ in true }) { record, _ in onRecord(record) }
    }

    /// `run(seed:cellWorkers:onRecord:)` for the transfer cells that `runsCell` accepts (by
    /// index, in the order of the sample sizes and methods); `onRecord` also gets each transfer
    /// record's cell index (nil for the source stages, which always run).
    func run(seed: UInt64, cellWorkers: Int, runsCell: (Int) -> Bool,
             onRecord: (ExperimentRecord, _ cell: Int?) -> Void) throws(TrainingError) {
        let config = configuration
        let data = task.makeData(seed: seed, targetPoolSize: config.targetSizes.max()!)
        // Training data, standardized with the source training statistics when asked; test data
        // stays raw and is scored through the folded network (`scoringView`).
        let standardization = config.standardize
            ? Standardization(inputs: data.sourceTrain.inputs, targets: task.loss == .mse ? data.sourceTrain.targets : nil) : nil
        let sourceTrain = standardization?.apply(to: data.sourceTrain) ?? data.sourceTrain
        let targetPool = standardization?.apply(to: data.targetTrain) ?? data.targetTrain
        func scores(_ model: Benchmark.Network, _ side: TaskSide) -> [Double] {
            task.scores(Self.scoringView(model, standardization), side: side, data: data)
        }

        var initRNG = RandomGenerator(seed: seed, stream: "init/source")
        let source = task.makeNetwork(rng: &initRNG)
        var stopwatch = Stopwatch()
        var sourceRNG = RandomGenerator(seed: seed, stream: "shuffle/source")
        try config.schedules.source(rows: sourceTrain.count).train(source, on: sourceTrain, loss: task.loss, rng: &sourceRNG)
        onRecord(.stage(stageRecord(seed, .trained, nil, scores(source, .source), stopwatch.lap())), nil)

        var pipeline = TransferPipeline(source: source, sourceData: sourceTrain, loss: task.loss, schedules: config.schedules,
                                        makeFresh: { task.makeNetwork(rng: &$0) })
        pipeline.pruningScope = config.pruningScope
        pipeline.pruneBiases = config.pruneBiases
        pipeline.selection = config.selection
        // One pruned-and-allocated network per ratio (the selection grid's too), shared by every
        // sample size, method and cross-validation fold.
        if config.methods.contains(where: \.usesRatio) {
            let ratios = config.allocatedRatios
            try pipeline.allocate(ratios, seed: seed, stream: "shuffle/allocate") { stage, ratio, model in
                let label = ratios.count > 1 ? ratio.value : nil
                onRecord(.stage(stageRecord(seed, stage, label, scores(model.network, .source), stopwatch.lap())), nil)
            }
        }

        // Every (n_target, method, variant) cell is independent (its own streams, its own copy),
        // so the cells run on `cellWorkers` threads; records still come out in cell order.
        let allCells = config.targetSizes.flatMap { n in
            config.methods.flatMap { name in config.runs(of: name).map { (n: n, name: name, method: $0.method, rate: $0.learningRate) } }
        }
        let indices = allCells.indices.filter(runsCell)
        let cells = indices.map { allCells[$0] }
        let shared = pipeline
        let outcomes = IndependentJobs.map(cells.count, workers: cellWorkers, stage: { index in
            TrainingProgress.Stage("transfer", part: index, of: cells.count, detail: "\(cells[index].name.rawValue) n=\(cells[index].n)")
        }) { index -> Result<TransferOutcome<Benchmark.Network>, TrainingError> in
            let cell = cells[index]
            // Variants share the method's stream: an ablation compares settings, not shuffles.
            return Result { () throws(TrainingError) in
                try shared.transfer(cell.method, learningRate: cell.rate, target: targetPool.prefix(cell.n), streams: TransferStreams(
                    seed: seed, training: "target/\(cell.name.rawValue)/\(cell.n)", selection: "select/\(cell.name.rawValue)/\(cell.n)"))
            }
        }
        let sweep = config.isSweep
        for (cellIndex, (cell, outcome)) in zip(indices, zip(cells, outcomes)) {
            let (n, name, method) = (cell.n, cell.name, cell.method)
            let outcome = try outcome.get()
            let result = outcome.result
            onResult?(seed, n, method, TransferResult(
                targetModel: Self.scoringView(result.targetModel, standardization),
                sourceModel: result.sourceModel.map { Self.scoringView($0, standardization) }), data)
            let labelled = sweep && outcome.selection == nil
            onRecord(.transfer(TransferRecord(
                task: task.name, seed: seed, nTarget: n, method: name,
                ratio: labelled ? method.ratio?.fixedValue?.value : nil, lambda: labelled ? method.lambda?.fixedValue?.value : nil,
                targetScores: scores(result.targetModel, .target),
                sourceScores: result.sourceModel.map { scores($0, .source) },
                seconds: outcome.seconds, selection: outcome.selection.map { SelectionOutcome(method, learningRate: cell.rate, $0) })), cellIndex)
        }
    }

    /// The network in the task's units: with standardization, a copy with it folded in.
    static func scoringView(_ model: Benchmark.Network, _ standardization: Standardization?) -> Benchmark.Network {
        guard let standardization else { return model }
        guard let foldable = model as? any StandardizationFolding else {
            preconditionFailure("standardization needs a network that can fold it (StandardizationFolding)")
        }
        return foldable.folding(standardization) as! Benchmark.Network
    }

    private func stageRecord(_ seed: UInt64, _ stage: PACNetStage, _ ratio: Double?, _ scores: [Double],
                             _ seconds: Double) -> StageRecord {
        StageRecord(task: task.name, seed: seed, stage: stage, ratio: ratio, sourceScores: scores, seconds: seconds)
    }
}
