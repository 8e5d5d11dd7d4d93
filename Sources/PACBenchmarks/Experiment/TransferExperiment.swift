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
    /// Called with every trained model (for plots of predictions); runs on the seed's thread.
    public var onResult: (@Sendable (UInt64, Int, TransferMethod, (ratio: Double?, lambda: Float?), TransferResult<Task.Network>, TransferData) -> Void)?

    public init(task: Task, configuration: ExperimentConfiguration) {
        precondition(configuration.validationError() == nil, configuration.validationError() ?? "")
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

        var initRNG = RandomGenerator(seed: seed, stream: "init/source")
        let source = task.makeNetwork(rng: &initRNG)
        var stopwatch = Stopwatch()
        var sourceRNG = RandomGenerator(seed: seed, stream: "shuffle/source")
        try config.sourceSchedule.train(source, on: data.sourceTrain, loss: task.loss, rng: &sourceRNG)
        onRecord(.stage(stageRecord(seed, .source, nil, source, data, stopwatch.lap())))

        // One pruned-and-allocated network per swept ratio.
        var allocated: [Double: PACNetModel<Task.Network>] = [:]
        let sweep = config.isSweep
        if config.methods.contains(where: { $0 == .pacnet || $0 == .packnet }) {
            for ratio in config.ratios {
                let pruning = MagnitudePruning(ratio: ratio, scope: config.pruningScope, includeBiases: config.pruneBiases)
                let pacnet = PACNetModel.prune(source, with: pruning)
                onRecord(.stage(stageRecord(seed, .pruned, sweep ? ratio : nil, pacnet.network, data, stopwatch.lap())))
                var allocateRNG = RandomGenerator(seed: seed, stream: "shuffle/allocate")
                try pacnet.allocate(on: data.sourceTrain, loss: task.loss, schedule: config.allocateSchedule, rng: &allocateRNG)
                onRecord(.stage(stageRecord(seed, .allocated, sweep ? ratio : nil, pacnet.network, data, stopwatch.lap())))
                allocated[ratio] = pacnet
            }
        }

        for n in config.targetSizes {
            let target = data.targetTrain.prefix(n)
            for method in config.methods {
                for variant in config.variants(of: method) {
                    let setup = TransferSetup(
                        source: source, allocated: allocated[variant.ratio ?? config.ratio],
                        makeFresh: { task.makeNetwork(rng: &$0) }, loss: task.loss, schedule: config.targetSchedule(n),
                        lambda: variant.lambda ?? config.lambda)
                    // Variants share the method's stream: an ablation compares settings, not shuffles.
                    var rng = RandomGenerator(seed: seed, stream: "target/\(method.rawValue)/\(n)")
                    _ = stopwatch.lap()
                    let result = try method.run(setup, target: target, rng: &rng)
                    let seconds = stopwatch.lap()
                    onResult?(seed, n, method, variant, result, data)
                    onRecord(.transfer(TransferRecord(
                        task: task.name, seed: seed, nTarget: n, method: method,
                        ratio: sweep ? variant.ratio : nil, lambda: sweep ? variant.lambda : nil,
                        targetScores: task.scores(result.targetModel, side: .target, data: data),
                        sourceScores: result.sourceModel.map { task.scores($0, side: .source, data: data) },
                        seconds: seconds)))
                }
            }
        }
    }

    private func stageRecord(_ seed: UInt64, _ stage: PipelineStage, _ ratio: Double?, _ model: Task.Network, _ data: TransferData,
                             _ seconds: Double) -> StageRecord {
        StageRecord(task: task.name, seed: seed, stage: stage, ratio: ratio,
                    sourceScores: task.scores(model, side: .source, data: data), seconds: seconds)
    }
}

/// Measures elapsed wall-clock time between laps.
struct Stopwatch {
    private var start = DispatchTime.now().uptimeNanoseconds

    /// Seconds since the previous lap (or creation), restarting the count.
    mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { start = now }
        return Double(now - start) / 1e9
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
