import PACNet

/// What `pacnet suite` runs: every task with all methods, then a PAC-Net ablation sweep.
public struct SuiteConfiguration: Sendable {
    public var seeds: Int = 3
    /// Fewer epochs (source 10, allocate 5, target 50) for a fast look; numbers are not comparable
    /// with full runs.
    public var quick = false
    /// The ablation grid (PAC-Net only).
    public var ablationRatios: [Double] = [0.5, 0.8, 0.9]
    public var ablationLambdas: [Float] = [0.001, 0.01, 0.1]
    /// Seeds run in parallel.
    public var parallelSeeds = 1

    public init() {}

    /// The main comparison's configuration for a task.
    func comparison(sizes: [Int]) -> ExperimentConfiguration {
        var config = ExperimentConfiguration()
        config.seeds = (0..<seeds).map(UInt64.init)
        config.targetSizes = sizes
        config.methods = TransferMethod.allCases
        config.parallelSeeds = parallelSeeds
        if quick {
            config.sourceEpochs = 10
            config.allocateEpochs = 5
            config.targetEpochs = 50
        }
        return config
    }

    /// The ablation's configuration: PAC-Net over the ratio x lambda grid.
    func ablation(sizes: [Int]) -> ExperimentConfiguration {
        var config = comparison(sizes: sizes)
        config.methods = [.pacnet]
        config.ratios = ablationRatios
        config.lambdas = ablationLambdas
        return config
    }
}
