import PACNet

/// What `pacnet suite` runs: every task with all methods, then a PAC-Net ablation sweep.
public struct SuiteConfiguration: Sendable {
    /// Every task the suite knows, in report order.
    public static let allTasks = ["friedman", "pendulum", "burgers", "shapes"]
    /// The tasks run, in report order.
    public var tasks = SuiteConfiguration.allTasks
    public var seeds: Int = 3
    /// A sixth of every task's epochs and minimum steps (at least 1; `friedman`: source 10,
    /// allocate 5, target 50) for a fast look; numbers are not comparable with full runs.
    public var quick = false
    /// The ablation grid (PAC-Net only).
    public var ablationRatios: [PruningRatio] = [0.5, 0.8, 0.9]
    public var ablationLambdas: [PenaltyStrength] = [0.001, 0.01, 0.1]
    /// Seeds run in parallel.
    public var parallelSeeds = 1
    /// Tasks whose comparison also runs PAC-Net and L2-SP with ratio and lambda chosen by
    /// cross-validation, next to the defaults (not `shapes`: its 20 x 5 cross-validation
    /// calibrations of a ResNet per sample size would take hours).
    public var autoSelectionTasks = ["friedman", "pendulum", "burgers"]
    /// Every method's target learning rate on those tasks: `nil` for the schedule's, or `auto`
    /// to give every method an auto variant that selects it (with ratio and lambda where it has them).
    public var targetLearningRate: Tunable<LearningRate>? = nil

    public init() {}

    /// The main comparison's configuration for a task: its defaults with every method.
    func comparison(for task: some TransferTask) -> ExperimentConfiguration {
        var config = task.defaultConfiguration()
        config.seeds = (0..<seeds).map(UInt64.init)
        config.methods = TransferMethod.allCases
        config.parallelSeeds = parallelSeeds
        if autoSelectionTasks.contains(task.name) {
            config.autoRatio = true
            config.autoLambda = true
            config.compareAutoWithDefaults = true
            config.targetLearningRate = targetLearningRate
        }
        if quick {
            config.schedules.sourceEpochs = max(1, config.schedules.sourceEpochs / 6)
            config.schedules.allocateEpochs = max(1, config.schedules.allocateEpochs / 6)
            config.schedules.targetEpochs = max(1, config.schedules.targetEpochs / 6)
            config.schedules.targetMinimumSteps /= 6
            config.schedules.sourceMinimumSteps /= 6
            config.schedules.allocateMinimumSteps /= 6
        }
        return config
    }

    /// The ablation's configuration: PAC-Net over the ratio x lambda grid, at the task's
    /// ablation sizes.
    func ablation(for task: some TransferTask) -> ExperimentConfiguration {
        var config = comparison(for: task)
        config.targetSizes = task.ablationTargetSizes
        config.methods = [.pacnet]
        config.autoRatio = false
        config.autoLambda = false
        config.compareAutoWithDefaults = false
        config.targetLearningRate = nil
        config.ratios = ablationRatios
        config.lambdas = ablationLambdas
        return config
    }
}
