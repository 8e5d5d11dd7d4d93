import PACNet

/// Every setting of a benchmark run; defaults are the specification's.
public struct ExperimentConfiguration: Sendable, Equatable {
    /// Seeds run, each with its own data, initialization and shuffling.
    public var seeds: [UInt64] = Array(0..<5)
    /// Target training-set sizes.
    public var targetSizes: [Int] = [10, 20, 50, 100, 200]
    public var methods: [TransferMethod] = TransferMethod.core
    /// PAC-Net's pruning ratios (fractions of weights pruned); several make an ablation sweep.
    public var ratios: [Double] = [0.8]
    /// Strengths of PAC-Net's and L2-SP's penalties; several make an ablation sweep.
    public var lambdas: [Float] = [0.01]

    /// The (first) pruning ratio.
    public var ratio: Double {
        get { ratios[0] }
        set { ratios = [newValue] }
    }

    /// The (first) penalty strength.
    public var lambda: Float {
        get { lambdas[0] }
        set { lambdas = [newValue] }
    }

    /// Whether ratios or lambdas are swept.
    public var isSweep: Bool { ratios.count > 1 || lambdas.count > 1 }
    public var pruningScope: PruningScope = .global
    public var pruneBiases = false
    public var sourceEpochs = 60
    public var allocateEpochs = 30
    public var targetEpochs = 300
    public var learningRate: Float = 1e-3
    /// Batch size of the source and allocation stages.
    public var sourceBatchSize = 128
    /// Target batches are `min(n_target, targetBatchCap)`.
    public var targetBatchCap = 32
    /// Target training runs at least this many optimizer steps: its epoch count is raised to
    /// `ceil(targetMinimumSteps / steps per epoch)` when that exceeds `targetEpochs` (`shapes`:
    /// max(30 epochs, 300 steps)).
    public var targetMinimumSteps = 0
    /// Seeds run concurrently (results do not depend on it).
    public var parallelSeeds = 1

    public init() {}

    /// Checks ranges, returning a one-line description of the first problem.
    public func validationError() -> String? {
        if seeds.isEmpty { return "at least one seed is required" }
        if targetSizes.isEmpty { return "at least one n_target value is required" }
        if let bad = targetSizes.first(where: { $0 < 1 }) { return "n_target values must be positive, got \(bad)" }
        if Set(targetSizes).count != targetSizes.count { return "n_target values must be distinct" }
        if methods.isEmpty { return "at least one method is required" }
        if ratios.isEmpty || lambdas.isEmpty { return "at least one ratio and one lambda are required" }
        if let bad = ratios.first(where: { !($0 > 0 && $0 < 1) }) { return "ratio must be in (0, 1), got \(bad)" }
        if let bad = lambdas.first(where: { !($0 >= 0 && $0.isFinite) }) { return "lambda must be a finite number >= 0, got \(bad)" }
        if Set(ratios).count != ratios.count || Set(lambdas).count != lambdas.count { return "ratios and lambdas must be distinct" }
        if !(learningRate > 0 && learningRate.isFinite) { return "learning rate must be a positive finite number, got \(learningRate)" }
        for (name, epochs) in [("source", sourceEpochs), ("allocate", allocateEpochs), ("target", targetEpochs)] where epochs < 1 {
            return "\(name) epochs must be at least 1, got \(epochs)"
        }
        if sourceBatchSize < 1 || targetBatchCap < 1 { return "batch sizes must be positive" }
        if targetMinimumSteps < 0 { return "minimum target steps must be >= 0, got \(targetMinimumSteps)" }
        if parallelSeeds < 1 { return "parallel seeds must be at least 1" }
        return nil
    }

    /// The (ratio, lambda) variants a method runs: PAC-Net every pair, PackNet every ratio,
    /// L2-SP every lambda, the others once.
    public func variants(of method: TransferMethod) -> [(ratio: Double?, lambda: Float?)] {
        switch method {
        case .pacnet: ratios.flatMap { r in lambdas.map { (r, $0) } }
        case .packnet: ratios.map { ($0, Float(0)) }
        case .l2sp: lambdas.map { (nil, $0) }
        case .scratch, .finetune, .freeze, .delta, .bss: [(nil, nil)]
        }
    }

    /// The source-training stage.
    public var sourceSchedule: TrainingSchedule { TrainingSchedule(epochs: sourceEpochs, batchSize: sourceBatchSize, learningRate: learningRate) }
    /// PAC-Net's allocation stage.
    public var allocateSchedule: TrainingSchedule { TrainingSchedule(epochs: allocateEpochs, batchSize: sourceBatchSize, learningRate: learningRate) }
    /// Target training on `n` samples, every method.
    public func targetSchedule(_ n: Int) -> TrainingSchedule {
        let batch = min(n, targetBatchCap)
        let stepsPerEpoch = (n + batch - 1) / batch
        let epochs = max(targetEpochs, (targetMinimumSteps + stepsPerEpoch - 1) / stepsPerEpoch)
        return TrainingSchedule(epochs: epochs, batchSize: batch, learningRate: learningRate)
    }
}
