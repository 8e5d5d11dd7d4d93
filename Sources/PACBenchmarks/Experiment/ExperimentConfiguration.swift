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
    /// Choose PAC-Net's (and PackNet's) ratio by cross-validation on the target training data
    /// (`--ratio auto`; `ratios` is then unused by those methods).
    public var autoRatio = false
    /// Choose PAC-Net's and L2-SP's lambda by cross-validation on the target training data
    /// (`--lambda auto`; `lambdas` is then unused by those methods).
    public var autoLambda = false
    /// Run each selecting method twice, with the first fixed ratio and lambda and with the auto
    /// ones, side by side (the suite's comparison).
    public var compareAutoWithDefaults = false
    /// The strengths of the DELTA and BSS baselines.
    public var baselines = BaselineSettings()
    /// The grids and folds of `autoRatio` and `autoLambda`.
    public var selection = HyperparameterSelection()
    /// Train on inputs and (for regression) targets standardized with the source training data's
    /// statistics; scores stay in the task's units (the network is folded back, see
    /// `StandardizationFolding`).
    public var standardize = false
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
        for (name, value) in [("DELTA's feature weight", baselines.deltaFeatureWeight), ("DELTA's head weight", baselines.deltaHeadWeight),
                              ("BSS's weight", baselines.bssWeight)] where !(value >= 0 && value.isFinite) {
            return "\(name) must be a finite number >= 0, got \(value)"
        }
        if baselines.bssCount < 1 { return "BSS needs at least 1 singular value, got \(baselines.bssCount)" }
        if (autoRatio || autoLambda) && (selection.maxFolds < 2 || selection.ratios.isEmpty || selection.lambdas.isEmpty) {
            return "selection needs at least 2 folds and non-empty grids"
        }
        if (autoRatio || autoLambda), let small = targetSizes.first(where: { $0 < 2 }) {
            return "automatic selection needs at least 2 target samples for cross-validation, got n_target \(small)"
        }
        return nil
    }

    /// The variants a method runs: PAC-Net every (ratio, lambda) pair, PackNet every ratio,
    /// L2-SP every lambda, the others once; with `autoRatio`/`autoLambda` the selected setting
    /// replaces the list, and with `compareAutoWithDefaults` the fixed variant comes first and
    /// the auto one second.
    public func variants(of method: TransferMethod) -> [MethodVariant] {
        let selectsRatio = autoRatio && method.usesRatio, selectsLambda = autoLambda && method.usesLambda
        let auto = MethodVariant(ratio: method.usesRatio && !selectsRatio ? ratio : nil,
                                 lambda: method == .packnet ? 0 : (method.usesLambda && !selectsLambda ? lambda : nil),
                                 autoRatio: selectsRatio, autoLambda: selectsLambda)
        let fixed: [MethodVariant] = switch method {
        case .pacnet: ratios.flatMap { r in lambdas.map { MethodVariant(ratio: r, lambda: $0) } }
        case .packnet: ratios.map { MethodVariant(ratio: $0, lambda: 0) }
        case .l2sp: lambdas.map { MethodVariant(ratio: nil, lambda: $0) }
        case .scratch, .finetune, .freeze, .delta, .bss: [MethodVariant(ratio: nil, lambda: nil)]
        }
        guard auto.isAuto else { return fixed }
        return compareAutoWithDefaults ? [fixed[0], auto] : [auto]
    }

    /// The ratios that need an allocated network: the fixed ones, and the selection grid when
    /// ratios are chosen automatically.
    public var allocatedRatios: [Double] {
        var result = autoRatio && !compareAutoWithDefaults ? [] : ratios
        if autoRatio { result += selection.ratios.filter { !result.contains($0) } }
        return result.isEmpty ? [ratio] : result
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

/// One setting of a method in a run: fixed values, or values chosen by cross-validation.
public struct MethodVariant: Sendable, Equatable {
    /// The fixed pruning ratio (`nil` when the method has none or it is selected).
    public var ratio: Double?
    /// The fixed penalty strength (`nil` when the method has none or it is selected).
    public var lambda: Float?
    /// The ratio is chosen by cross-validation.
    public var autoRatio = false
    /// The lambda is chosen by cross-validation.
    public var autoLambda = false

    public init(ratio: Double?, lambda: Float?, autoRatio: Bool = false, autoLambda: Bool = false) {
        self.ratio = ratio
        self.lambda = lambda
        self.autoRatio = autoRatio
        self.autoLambda = autoLambda
    }

    /// Whether anything is chosen by cross-validation.
    public var isAuto: Bool { autoRatio || autoLambda }
}
