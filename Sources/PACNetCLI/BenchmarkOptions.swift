import ArgumentParser
import Foundation
import PACBenchmarks
import PACNet

/// The options every benchmark task command shares; defaults are the specification's.
struct BenchmarkOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Number of seeds (0, 1, ..., N-1).")
    var seeds: Int = 5

    @Option(name: .customLong("n-target"), help: "Comma-separated target training-set sizes (default: the task's).")
    var nTarget: String?

    @Option(help: "Comma-separated methods (default: the task's; available: \(TransferMethod.allCases.map(\.rawValue).joined(separator: ","))).")
    var methods: String?

    @Option(parsing: .unconditional, help: "PAC-Net pruning ratio, the fraction of weights pruned, in (0, 1); a comma-separated list sweeps it; 'auto' chooses it from {0.5,0.7,0.8,0.9} by k-fold cross-validation on the target training data.")
    var ratio: String = "0.8"

    @Option(name: .customLong("lambda"), parsing: .unconditional, help: "Penalty strength of PAC-Net and L2-SP (>= 0); a comma-separated list sweeps it; 'auto' chooses it from {0,1e-4,1e-3,1e-2,1e-1} by k-fold cross-validation on the target training data.")
    var lambda: String = "0.01"

    @Option(name: .customLong("delta-alpha"), parsing: .unconditional, help: "DELTA's feature-map weight (>= 0).")
    var deltaAlpha: Double = 0.01

    @Option(name: .customLong("delta-beta"), parsing: .unconditional, help: "DELTA's L2-SP weight on the head (>= 0).")
    var deltaBeta: Double = 0.01

    @Option(name: .customLong("bss-eta"), parsing: .unconditional, help: "BSS's weight on the smallest squared singular values (>= 0).")
    var bssEta: Double = 0.001

    @Option(name: .customLong("bss-k"), help: "How many of the smallest singular values BSS shrinks (>= 1).")
    var bssK: Int = 1

    @Flag(help: "Standardize inputs and regression targets with the source training data's statistics (scores stay in the task's units).")
    var standardize = false

    @Option(name: .customLong("pruning-scope"), help: "Rank weights 'global'ly across layers or 'per-layer'.")
    var pruningScope: String = PruningScope.global.rawValue

    @Flag(name: .customLong("prune-biases"), help: "Prune biases too (weights only by default).")
    var pruneBiases = false

    @Option(name: .customLong("source-epochs"), help: "Epochs of source training (default: the task's, 60; shapes 8).")
    var sourceEpochs: Int?

    @Option(name: .customLong("allocate-epochs"), help: "Epochs of PAC-Net's allocation stage (default: the task's, 30; shapes 3).")
    var allocateEpochs: Int?

    @Option(name: .customLong("target-epochs"),
            help: "Epochs of target training, every method (default: the task's, 300; shapes 30, and at least 300 steps).")
    var targetEpochs: Int?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Adam learning rate of every stage.")
    var learningRate: Double = 1e-3

    @Option(help: "Seeds run in parallel (results do not depend on it; default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one JSON object per result line on stdout and nothing else.")
    var json = false

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    /// A comma-separated list of numbers.
    static func numbers(_ text: String, option: String) throws -> [Double] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try items.map { item in
            guard let value = Double(item) else { throw CLIError("\(option): '\(item)' is not a number") }
            return value
        }
    }

    /// Whether an option's value is `auto` (which cannot be part of a list).
    static func isAuto(_ text: String, option: String) throws -> Bool {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard items.contains("auto") else { return false }
        guard items.count == 1 else { throw CLIError("\(option): 'auto' cannot be combined with other values") }
        return true
    }

    /// The validated experiment configuration: the task's defaults with the given options.
    func configuration(for task: some TransferTask) throws -> ExperimentConfiguration {
        guard seeds >= 1 else { throw CLIError("--seeds must be at least 1, got \(seeds)") }
        var config = task.defaultConfiguration()
        config.seeds = (0..<seeds).map { UInt64($0) }
        if let nTarget {
            config.targetSizes = try nTarget.split(separator: ",", omittingEmptySubsequences: false).map { item in
                let text = item.trimmingCharacters(in: .whitespaces)
                guard let n = Int(text) else { throw CLIError("--n-target: '\(text)' is not an integer") }
                return n
            }
        }
        let names = (methods ?? config.methods.map(\.rawValue).joined(separator: ","))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw CLIError("--methods: the method list is empty") }
        config.methods = try names.map { name in
            guard let method = TransferMethod(rawValue: name) else {
                throw CLIError("--methods: unknown method '\(name)' (known: \(TransferMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return method
        }
        guard Set(config.methods).count == config.methods.count else { throw CLIError("--methods: a method is listed twice") }
        let autoRatio = try Self.isAuto(ratio, option: "--ratio"), autoLambda = try Self.isAuto(lambda, option: "--lambda")
        let ratios = autoRatio ? [config.ratio] : try Self.numbers(ratio, option: "--ratio")
        let lambdas = autoLambda ? [Double(config.lambda)] : try Self.numbers(lambda, option: "--lambda")
        for value in ratios where !(value > 0 && value < 1) { throw CLIError("--ratio must be in (0, 1), got \(value)") }
        for value in lambdas where !(value >= 0 && value.isFinite) { throw CLIError("--lambda must be a finite number >= 0, got \(value)") }
        guard learningRate > 0 && learningRate.isFinite else { throw CLIError("--learning-rate must be positive, got \(learningRate)") }
        guard let scope = PruningScope(rawValue: pruningScope) else {
            throw CLIError("--pruning-scope must be 'global' or 'per-layer', got '\(pruningScope)'")
        }
        guard jobs >= 1 else { throw CLIError("--jobs must be at least 1, got \(jobs)") }
        config.ratios = ratios
        config.lambdas = lambdas.map(Float.init)
        config.autoRatio = autoRatio
        config.autoLambda = autoLambda
        if standardize && task.loss != .mse {
            throw CLIError("--standardize applies to regression tasks (MSE loss); \(task.name) is not one")
        }
        config.standardize = standardize
        for (option, value) in [("--delta-alpha", deltaAlpha), ("--delta-beta", deltaBeta), ("--bss-eta", bssEta)] where !(value >= 0 && value.isFinite) {
            throw CLIError("\(option) must be a finite number >= 0, got \(value)")
        }
        guard bssK >= 1 else { throw CLIError("--bss-k must be at least 1, got \(bssK)") }
        config.baselines.deltaFeatureWeight = Float(deltaAlpha)
        config.baselines.deltaHeadWeight = Float(deltaBeta)
        config.baselines.bssWeight = Float(bssEta)
        config.baselines.bssCount = bssK
        config.pruningScope = scope
        config.pruneBiases = pruneBiases
        config.sourceEpochs = sourceEpochs ?? config.sourceEpochs
        config.allocateEpochs = allocateEpochs ?? config.allocateEpochs
        config.targetEpochs = targetEpochs ?? config.targetEpochs
        config.learningRate = Float(learningRate)
        config.parallelSeeds = jobs
        if let problem = config.validationError() { throw CLIError(problem) }
        return config
    }
}
