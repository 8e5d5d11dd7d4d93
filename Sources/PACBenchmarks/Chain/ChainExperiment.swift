import Dispatch
import Foundation
import PACEngine
import PACNN
import PACNet

/// Learns a source and several targets in turn with every `ChainMethod` and scores every task
/// after every step: the forgetting matrix of continual learning.
///
/// Per seed: train the source network (the streams of `TransferExperiment`, so it is the same
/// network as the two-task benchmark's); prune it at `ratio` and allocate. Then, for target
/// `k = 1...K`, each method learns target `k` and every task learned so far is scored on its
/// test set. `pacnet-chain` calibrates target `k` on the free entries and, unless it is the last,
/// keeps the largest `keep` fraction of them, re-allocated on its data, leaving the rest for
/// target `k + 1` (`TaskChain`). Every draw comes from a stream named after its purpose
/// (`chain/pacnet-chain/t2`), so a method's numbers do not depend on which others run.
public struct ChainExperiment<Benchmark: ChainTask>: Sendable {
    public let task: Benchmark
    public let configuration: ChainConfiguration
    /// Called after each step of a seed with a line such as `seed 0: pacnet-chain t2 (9/17)`.
    public var onStep: (@Sendable (String) -> Void)?

    /// An experiment whose settings leave every task at least one entry of the network.
    public init(task: Benchmark, configuration: ChainConfiguration) throws(SettingError) {
        try configuration.validate()
        if configuration.targets > task.maxChainTargets {
            throw SettingError("number of targets", must: "at most \(task.maxChainTargets) for \(task.name)", got: configuration.targets)
        }
        var rng = RandomGenerator(seed: 0, stream: "check")
        let network = task.makeChainNetwork(targets: configuration.targets, rng: &rng)
        let pruning = MagnitudePruning(ratio: configuration.ratio)
        try pruning.check(for: network)
        var free = pruning.masks(for: network).prunedCount
        for k in 1..<configuration.targets {
            let kept = Int((configuration.keep * Double(free)).rounded())
            if kept == 0 || kept == free {
                throw SettingError("keep fraction", must: "leave target \(k) and the targets after it at least one of the \(free) entries target \(k) trains", got: configuration.keep)
            }
            free -= kept
        }
        self.task = task
        self.configuration = configuration
    }

    /// Runs every seed (`parallelSeeds` at a time), calling `onRecord` with each seed's records
    /// in seed order as soon as that seed and all before it are done.
    @discardableResult
    public func run(onRecord: @escaping (ChainRecord) -> Void = { _ in }) throws -> [ChainRecord] {
        let seeds = configuration.seeds
        let collector = OrderedCollector(count: seeds.count, onRecord: onRecord)
        DispatchQueue.concurrentPerform(iterations: min(configuration.parallelSeeds, seeds.count)) { _ in
            while let index = collector.claim() {
                do { collector.finish(index, try run(seed: seeds[index])) } catch { collector.fail(error) }
            }
        }
        return try collector.result()
    }

    /// The records of one seed: every method, step and task.
    public func run(seed: UInt64) throws -> [ChainRecord] {
        let config = configuration
        let data = task.makeChainData(seed: seed, targets: config.targets, count: config.targetCount)
        var initRNG = RandomGenerator(seed: seed, stream: "init/source")
        let source = task.makeChainNetwork(targets: config.targets, rng: &initRNG)
        TaskHeads.select(head: 0, in: source)
        var sourceRNG = RandomGenerator(seed: seed, stream: "shuffle/source")
        let sourceStart = Stopwatch()
        try config.schedules.source(rows: data.sourceTrain.count).train(source, on: data.sourceTrain, loss: task.loss, rng: &sourceRNG)
        let sourceSeconds = sourceStart.elapsed
        var records: [ChainRecord] = []
        // Steps of the seed: the source, then every method's targets (and the allocation).
        let stepCount = 1 + config.methods.count * config.targets + (config.methods.contains { $0 == .pacnetEach || $0.reading != nil } ? 1 : 0)
        var stepsDone = 0
        func done(_ what: String) {
            stepsDone += 1
            onStep?("seed \(seed): \(what) (\(stepsDone)/\(stepCount))")
        }
        done("source trained")
        /// Records every task's score after `step`; `beforeRelease` is the step's own task's score before its release.
        func record(_ method: ChainMethod, step: Int, models: [Benchmark.Network], seconds: Double, beforeRelease: Double? = nil) {
            if step > 0 { done("\(method.rawValue) t\(step)") }
            for (k, model) in models.enumerated() {
                records.append(ChainRecord(task: task.name, seed: seed, method: method, step: step, taskIndex: k,
                                           score: task.score(model, on: data.tests[k]), seconds: seconds,
                                           beforeRelease: k == step ? beforeRelease : nil))
            }
        }
        func target(_ k: Int) -> Dataset { data.targets[k - 1].train }
        func rng(_ method: ChainMethod, _ k: Int) -> RandomGenerator { RandomGenerator(seed: seed, stream: "chain/\(method.rawValue)/t\(k)") }
        func fineTuned(_ network: Benchmark.Network, on k: Int, _ method: ChainMethod) throws -> Benchmark.Network {
            let model = network.clone()
            TaskHeads.select(head: k, in: model)
            var r = rng(method, k)
            try config.schedules.target(rows: target(k).count).train(model, on: target(k), loss: task.loss, rng: &r)
            return model
        }
        func viewed(_ network: Benchmark.Network, head: Int) -> Benchmark.Network {
            let view = network.clone()
            TaskHeads.select(head: head, in: view)
            return view
        }

        let methods = config.methods
        if methods.contains(.finetuneEach) || methods.contains(.finetuneSequential) {
            for method in [ChainMethod.finetuneEach, .finetuneSequential] where methods.contains(method) {
                record(method, step: 0, models: [source], seconds: sourceSeconds)
                var models = [source]
                var current = source
                for k in 1...config.targets {
                    let start = Stopwatch()
                    let tuned = try fineTuned(method == .finetuneEach ? source : current, on: k, method)
                    let seconds = start.elapsed
                    if method == .finetuneEach {
                        models.append(tuned)
                    } else {
                        // One network: every task reads the latest weights (through its own head).
                        current = tuned
                        models = (0...k).map { viewed(tuned, head: $0) }
                    }
                    record(method, step: k, models: models, seconds: seconds)
                }
            }
        }
        guard methods.contains(where: { $0 == .pacnetEach || $0.reading != nil }) else { return records }
        let allocateStart = Stopwatch()
        var allocateRNG = RandomGenerator(seed: seed, stream: "chain/allocate")
        let allocated = try PACNetModel.pruned(source, with: MagnitudePruning(ratio: config.ratio))
            .allocated(on: data.sourceTrain, loss: task.loss, schedule: config.schedules.allocate(rows: data.sourceTrain.count), rng: &allocateRNG)
        let allocateSeconds = allocateStart.elapsed
        done("allocated")
        if methods.contains(.pacnetEach) {
            record(.pacnetEach, step: 0, models: [allocated.sourceModel()], seconds: allocateSeconds)
            var models = [allocated.sourceModel()]
            for k in 1...config.targets {
                let start = Stopwatch()
                // A network of its own: target k added to the allocated source alone.
                var r = rng(.pacnetEach, k)
                let chain = try TaskChain(allocated: allocated).adding(
                    "t\(k)", on: target(k), loss: task.loss, schedule: config.schedules.target(rows: target(k).count),
                    lambda: config.lambda, freedom: config.freedom, head: k, rng: &r)
                models.append(chain.model(for: 1))
                record(.pacnetEach, step: k, models: models, seconds: start.elapsed)
            }
        }
        for method in [ChainMethod.pacnetChain, .pacnetChainSource] where methods.contains(method) {
            var chain = TaskChain(allocated: allocated, reading: method.reading!)
            record(method, step: 0, models: [chain.model(for: 0)], seconds: allocateSeconds)
            for k in 1...config.targets {
                let start = Stopwatch()
                var r = rng(method, k)
                let schedule = config.schedules.target(rows: target(k).count)
                chain = try chain.adding("t\(k)", on: target(k), loss: task.loss, schedule: schedule, lambda: config.lambda,
                                         freedom: config.freedom, rng: &r)
                var calibrated: Double?
                if k < config.targets {
                    calibrated = task.score(chain.model(for: k), on: data.tests[k])
                    chain = try chain.released(keeping: config.keep, on: target(k), loss: task.loss, schedule: schedule, lambda: config.lambda, rng: &r)
                }
                record(method, step: k, models: (0...k).map { chain.model(for: $0) }, seconds: start.elapsed, beforeRelease: calibrated)
            }
        }
        return records
    }
}
