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

    @Option(parsing: .unconditional, help: ArgumentHelp(stringLiteral: "PAC-Net pruning ratio, the fraction of weights pruned, \(PruningRatio.requirement); a comma-separated list sweeps it; 'auto' chooses it from \(AutoOption.selection.ratioGridDescription) by k-fold cross-validation on the target training data."))
    var ratio: String = PruningRatio.paperDefault.description

    @Option(name: .customLong("lambda"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: "Penalty strength of PAC-Net and L2-SP (\(PenaltyStrength.requirement)); a comma-separated list sweeps it; 'auto' chooses it from \(AutoOption.selection.lambdaGridDescription) by k-fold cross-validation on the target training data."))
    var lambda: String = PenaltyStrength.paperDefault.description

    @Option(name: .customLong("selection-ratios"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: "The ratios 'auto' chooses from (default: \(AutoOption.selection.ratios.map(\.description).joined(separator: ",")))."))
    var selectionRatios: String?

    @Option(name: .customLong("selection-lambdas"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: "The lambdas 'auto' chooses from (default: \(AutoOption.selection.lambdas.map(\.description).joined(separator: ",")))."))
    var selectionLambdas: String?

    @Option(name: .customLong("selection-learning-rates"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: "The target learning rates 'auto' chooses from (default: \(AutoOption.selection.learningRates.map(\.description).joined(separator: ",")))."))
    var selectionLearningRates: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(stringLiteral: "Cross-validation folds of 'auto' settings, k = min(folds, n_target) (at least 2; default: \(AutoOption.selection.maxFolds))."))
    var folds: Int = AutoOption.selection.maxFolds

    @Option(help: ArgumentHelp(stringLiteral: AutoOption.screeningHelp))
    var screening: String = AutoOption.screeningDefault

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

    @Option(name: .customLong("source-epochs"), help: ArgumentHelp(stringLiteral: "Epochs of source training (default: the task's, \(StageSchedules.tabular.sourceEpochs); shapes \(StageSchedules.images.sourceEpochs))."))
    var sourceEpochs: Int?

    @Option(name: .customLong("allocate-epochs"), help: ArgumentHelp(stringLiteral: "Epochs of PAC-Net's allocation stage (default: the task's, \(StageSchedules.tabular.allocateEpochs); shapes \(StageSchedules.images.allocateEpochs))."))
    var allocateEpochs: Int?

    @Option(name: .customLong("target-epochs"),
            help: ArgumentHelp(stringLiteral: "Epochs of target training, every method (default: the task's, \(StageSchedules.tabular.targetDescription); shapes \(StageSchedules.images.targetDescription))."))
    var targetEpochs: Int?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Adam learning rate of every stage.")
    var learningRate: Double = Double(LearningRate.standard.value)

    @Option(name: .customLong("target-learning-rate"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: "Adam learning rate of target training, every method (default: --learning-rate); 'auto' chooses it for every method from \(AutoOption.selection.learningRateGridDescription) by k-fold cross-validation on the target training data, jointly with any other 'auto' setting."))
    var targetLearningRate: String?

    @Option(help: "Threads: seeds run in parallel, and a seed's sample sizes and methods when there are fewer seeds (results do not depend on it; default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one JSON object per result line on stdout and nothing else.")
    var json = false

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    @Flag(name: .customLong("data-parallel"), help: "Under mpirun: every rank runs every cell and each training step is split over the ranks (for large networks such as shapes' ResNets; numbers differ from one process by rounding). Default: cells dealt over the ranks, bit-identical to one process.")
    var dataParallel = false

    /// A comma-separated list of numbers.
    static func numbers(_ text: String, option: String) throws -> [Double] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try items.map { item in
            guard let value = Double(item) else { throw CLIError("\(option): '\(item)' is not a number") }
            return value
        }
    }

    /// A comma-separated list of pruning ratios.
    static func ratios(_ text: String, option: String) throws -> [PruningRatio] {
        try numbers(text, option: option).map { value in try validated(option) { () throws(SettingError) in try PruningRatio(value) } }
    }

    /// A comma-separated list of penalty strengths.
    static func lambdas(_ text: String, option: String) throws -> [PenaltyStrength] {
        try numbers(text, option: option).map { value in try validated(option) { () throws(SettingError) in try PenaltyStrength(value) } }
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
        let ratios = autoRatio ? [config.ratio] : try Self.ratios(ratio, option: "--ratio")
        let lambdas = autoLambda ? [config.lambda] : try Self.lambdas(lambda, option: "--lambda")
        config.schedules.learningRate = try validated("--learning-rate") { () throws(SettingError) in try LearningRate(learningRate) }
        guard let scope = PruningScope(rawValue: pruningScope) else {
            throw CLIError("--pruning-scope must be 'global' or 'per-layer', got '\(pruningScope)'")
        }
        guard jobs >= 1 else { throw CLIError("--jobs must be at least 1, got \(jobs)") }
        config.ratios = ratios
        config.lambdas = lambdas
        config.autoRatio = autoRatio
        config.autoLambda = autoLambda
        config.targetLearningRate = try targetLearningRate.map(AutoOption.learningRate)
        config.selection.screening = try AutoOption.screening(screening)
        if let selectionRatios { config.selection.ratios = try Self.ratios(selectionRatios, option: "--selection-ratios") }
        if let selectionLambdas { config.selection.lambdas = try Self.lambdas(selectionLambdas, option: "--selection-lambdas") }
        if let selectionLearningRates {
            config.selection.learningRates = try Self.numbers(selectionLearningRates, option: "--selection-learning-rates").map { value in
                try validated("--selection-learning-rates") { () throws(SettingError) in try LearningRate(value) }
            }
        }
        guard folds >= 2 else { throw CLIError("--folds must be at least 2, got \(folds)") }
        config.selection.maxFolds = folds
        if standardize && task.loss != .mse {
            throw CLIError("--standardize applies to regression tasks (MSE loss); \(task.name) is not one")
        }
        config.standardize = standardize
        func strength(_ option: String, _ value: Double) throws -> PenaltyStrength {
            try validated(option) { () throws(SettingError) in try PenaltyStrength(value) }
        }
        guard bssK >= 1 else { throw CLIError("--bss-k must be at least 1, got \(bssK)") }
        config.baselines.deltaFeatureWeight = try strength("--delta-alpha", deltaAlpha)
        config.baselines.deltaHeadWeight = try strength("--delta-beta", deltaBeta)
        config.baselines.bssWeight = try strength("--bss-eta", bssEta)
        config.baselines.bssCount = bssK
        config.pruningScope = scope
        config.pruneBiases = pruneBiases
        // An explicit epoch count is what runs (the target's minimum steps are the benchmark
        // specification's and stay).
        if let sourceEpochs { (config.schedules.sourceEpochs, config.schedules.sourceMinimumSteps) = (sourceEpochs, 0) }
        if let allocateEpochs { (config.schedules.allocateEpochs, config.schedules.allocateMinimumSteps) = (allocateEpochs, 0) }
        config.schedules.targetEpochs = targetEpochs ?? config.schedules.targetEpochs
        config.parallelSeeds = jobs
        do { try config.validate() } catch { throw CLIError(error) }
        return config
    }
}
