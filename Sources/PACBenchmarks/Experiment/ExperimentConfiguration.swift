import PACNet

/// Every setting of a benchmark run; defaults are the specification's.
public struct ExperimentConfiguration: Sendable, Equatable {
    /// Seeds run, each with its own data, initialization and shuffling.
    public var seeds: [UInt64] = Array(0..<5)
    /// Target training-set sizes.
    public var targetSizes: [Int] = [10, 20, 50, 100, 200]
    public var methods: [TransferMethod] = TransferMethod.core
    /// PAC-Net's pruning ratios (fractions of weights pruned); several make an ablation sweep.
    public var ratios: [PruningRatio] = [.paperDefault]
    /// Strengths of PAC-Net's and L2-SP's penalties; several make an ablation sweep.
    public var lambdas: [PenaltyStrength] = [.paperDefault]

    /// The (first) pruning ratio.
    public var ratio: PruningRatio {
        get { ratios[0] }
        set { ratios = [newValue] }
    }

    /// The (first) penalty strength.
    public var lambda: PenaltyStrength {
        get { lambdas[0] }
        set { lambdas = [newValue] }
    }

    /// Whether ratios or lambdas are swept.
    public var isSweep: Bool { ratios.count > 1 || lambdas.count > 1 }
    /// Choose PAC-Net's (and PackNet's) ratio by cross-validation on the target training data
    /// (`ratios` is then unused by those methods).
    public var autoRatio = false
    /// Choose PAC-Net's and L2-SP's lambda by cross-validation on the target training data
    /// (`lambdas` is then unused by those methods).
    public var autoLambda = false
    /// Every method's target learning rate: `nil` for the schedule's (every stage's), fixed, or
    /// `auto`, chosen by cross-validation on the target training data from
    /// `selection.learningRates`.
    public var targetLearningRate: Tunable<LearningRate>? = nil
    /// Whether the target learning rate is chosen by cross-validation.
    public var autoLearningRate: Bool { targetLearningRate == .auto }
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
    /// Epochs, batch sizes and learning rate of every stage.
    public var schedules = StageSchedules.tabular
    /// Threads: seeds run this many at a time, and a seed's sample sizes and methods share the
    /// threads that fewer seeds leave idle (results do not depend on it).
    public var parallelSeeds = 1

    public init() {}

    /// Checks ranges, throwing on the first problem.
    public func validate() throws(SettingError) {
        if seeds.isEmpty { throw SettingError("seeds", must: "at least one", got: "none") }
        if targetSizes.isEmpty { throw SettingError("n_target values", must: "at least one", got: "none") }
        if let bad = targetSizes.first(where: { $0 < 1 }) { throw SettingError("n_target", must: "positive", got: bad) }
        // The target pool is generated in memory; a million samples is far past the specification's sizes.
        if let bad = targetSizes.first(where: { $0 > 1_000_000 }) { throw SettingError("n_target", must: "at most 1000000", got: bad) }
        if Set(targetSizes).count != targetSizes.count { throw SettingError("n_target values", must: "distinct", got: targetSizes.map(String.init).joined(separator: ",")) }
        if methods.isEmpty { throw SettingError("methods", must: "at least one", got: "none") }
        if ratios.isEmpty || lambdas.isEmpty { throw SettingError("ratios and lambdas", must: "at least one each", got: "none") }
        if Set(ratios).count != ratios.count || Set(lambdas).count != lambdas.count {
            throw SettingError("ratios and lambdas", must: "distinct", got: "a repeated value")
        }
        try schedules.validate()
        if parallelSeeds < 1 { throw SettingError("parallel seeds", must: "at least 1", got: parallelSeeds) }
        if baselines.bssCount < 1 { throw SettingError("BSS's singular value count", must: "at least 1", got: baselines.bssCount) }
        if autoRatio || autoLambda || autoLearningRate {
            try selection.validate()
            if let small = targetSizes.first(where: { $0 < 2 }) {
                throw SettingError("n_target", must: "at least 2 target samples for cross-validated selection", got: small)
            }
        }
    }

    /// The methods, with their settings, that `method` runs: PAC-Net every (ratio, lambda) pair,
    /// PackNet every ratio, L2-SP every lambda, the others once; with `autoRatio`/`autoLambda`
    /// the selected setting replaces the list, and with `compareAutoWithDefaults` the fixed
    /// variant comes first and the auto one second.
    public func variants(of method: TransferMethod) -> [Method] {
        let auto = Method(method, ratio: autoRatio ? .auto : .fixed(ratio), lambda: autoLambda ? .auto : .fixed(lambda),
                          baselines: baselines)
        let fixed: [Method] = switch method {
        case .pacnet, .pacnetBias:
            ratios.flatMap { r in lambdas.map { Method(method, ratio: .fixed(r), lambda: .fixed($0), baselines: baselines) } }
        case .packnet: ratios.map { .packnet(ratio: .fixed($0)) }
        case .l2sp: lambdas.map { .l2sp(lambda: .fixed($0)) }
        case .scratch, .finetune, .freeze, .delta, .bss: [auto]
        }
        guard auto.isAuto else { return fixed }
        return compareAutoWithDefaults ? [fixed[0], auto] : [auto]
    }

    /// Every variant of `method` with its target learning rate (`nil`: the schedule's): those of
    /// `variants(of:)`, which with `autoLearningRate` select it too; with
    /// `compareAutoWithDefaults` the fixed variant keeps the schedule's and every method gains
    /// an auto variant.
    public func runs(of method: TransferMethod) -> [(method: Method, learningRate: Tunable<LearningRate>?)] {
        let variants = variants(of: method)
        guard autoLearningRate else { return variants.map { ($0, targetLearningRate) } }
        guard compareAutoWithDefaults else { return variants.map { ($0, .auto) } }
        let auto = variants.last!
        return [(variants[0], nil), (auto, .auto)]
    }

    /// The ratios that need an allocated network: the fixed ones, and the selection grid when
    /// ratios are chosen automatically.
    public var allocatedRatios: [PruningRatio] {
        var result = autoRatio && !compareAutoWithDefaults ? [] : ratios
        if autoRatio { result += selection.ratios.filter { !result.contains($0) } }
        return result.isEmpty ? [ratio] : result
    }
}
