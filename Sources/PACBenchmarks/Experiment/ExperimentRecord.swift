import PACIO
import PACNet

/// One measured result of a benchmark run.
public enum ExperimentRecord: Sendable, Equatable, Codable {
    /// The source model's score at a stage of PAC-Net's pipeline.
    case stage(StageRecord)
    /// A method's scores after transfer with `nTarget` target samples.
    case transfer(TransferRecord)
}

public struct StageRecord: Sendable, Equatable, Codable {
    public let task: String
    public let seed: UInt64
    /// The source model's stage: `trained`, `pruned` or `allocated`.
    public let stage: PACNetStage
    /// The pruning ratio of the `pruned` and `allocated` stages.
    public let ratio: Double?
    /// The source test scores of the model at this stage, one per task metric.
    public let sourceScores: [Double]
    /// Time spent producing this stage.
    public let seconds: Double

    public init(task: String, seed: UInt64, stage: PACNetStage, ratio: Double? = nil, sourceScores: [Double], seconds: Double) {
        self.task = task
        self.seed = seed
        self.stage = stage
        self.ratio = ratio
        self.sourceScores = sourceScores
        self.seconds = seconds
    }

    /// A record of a single-metric task.
    public init(task: String, seed: UInt64, stage: PACNetStage, sourceScore: Double, seconds: Double) {
        self.init(task: task, seed: seed, stage: stage, sourceScores: [sourceScore], seconds: seconds)
    }

    /// The primary (first) metric's score.
    public var sourceScore: Double { sourceScores[0] }
}

public struct TransferRecord: Sendable, Equatable, Codable {
    public let task: String
    public let seed: UInt64
    public let nTarget: Int
    public let method: TransferMethod
    /// The pruning ratio (PAC-Net and PackNet).
    public let ratio: Double?
    /// The penalty strength (PAC-Net, PackNet (0) and L2-SP).
    public let lambda: Float?
    /// Target test scores, one per task metric.
    public let targetScores: [Double]
    /// Source test scores after transfer (`nil` for `scratch`; the masked network's for PAC-Net).
    public let sourceScores: [Double]?
    /// Target training time (the final training; selection time is in `selection`).
    public let seconds: Double
    /// What cross-validation chose, for auto variants.
    public let selection: SelectionOutcome?

    public init(task: String, seed: UInt64, nTarget: Int, method: TransferMethod, ratio: Double? = nil, lambda: Float? = nil,
                targetScores: [Double], sourceScores: [Double]?, seconds: Double, selection: SelectionOutcome? = nil) {
        self.selection = selection
        self.task = task
        self.seed = seed
        self.nTarget = nTarget
        self.method = method
        self.ratio = ratio
        self.lambda = lambda
        self.targetScores = targetScores
        self.sourceScores = sourceScores
        self.seconds = seconds
    }

    /// A record of a single-metric task.
    public init(task: String, seed: UInt64, nTarget: Int, method: TransferMethod, targetScore: Double,
                sourceScore: Double?, seconds: Double) {
        self.init(task: task, seed: seed, nTarget: nTarget, method: method, targetScores: [targetScore],
                  sourceScores: sourceScore.map { [$0] }, seconds: seconds)
    }

    /// The primary (first) metric's target score.
    public var targetScore: Double { targetScores[0] }
    /// The primary (first) metric's source score.
    public var sourceScore: Double? { sourceScores?[0] }
}

/// The settings cross-validation chose for one auto variant.
public struct SelectionOutcome: Sendable, Equatable, Codable {
    /// The ratio was selected (else fixed).
    public let autoRatio: Bool
    /// The lambda was selected (else fixed).
    public let autoLambda: Bool
    /// The ratio used (selected or fixed; `nil` when the method has none).
    public let ratio: Double?
    /// The lambda used (selected or fixed; `nil` when the method has none).
    public let lambda: Float?
    /// The target learning rate was selected too.
    public let autoLearningRate: Bool
    /// The selected target learning rate (`nil` when not selected).
    public let learningRate: Float?
    /// Cross-validation time.
    public let seconds: Double

    public init(autoRatio: Bool, autoLambda: Bool, ratio: Double?, lambda: Float?, autoLearningRate: Bool = false,
                learningRate: Float? = nil, seconds: Double) {
        self.autoRatio = autoRatio
        self.autoLambda = autoLambda
        self.ratio = ratio
        self.lambda = lambda
        self.autoLearningRate = autoLearningRate
        self.learningRate = learningRate
        self.seconds = seconds
    }

    /// What cross-validation chose for `method` (which has `auto` settings, or an `auto`
    /// `learningRate`).
    public init(_ method: Method, learningRate: Tunable<LearningRate>? = nil, _ choice: HyperparameterSelection.Choice) {
        self.init(autoRatio: method.ratio?.isAuto == true, autoLambda: method.lambda?.isAuto == true,
                  ratio: choice.ratio?.value, lambda: choice.lambda?.value, autoLearningRate: learningRate == .auto,
                  learningRate: learningRate == .auto ? choice.learningRate?.value : nil, seconds: choice.seconds)
    }

    /// `auto` when the method's ratio and lambda (those it has) are selected, `auto-r` or
    /// `auto-λ` when one is; `+lr` when the learning rate is selected too (`auto-lr` when it
    /// alone is, as for fine-tuning).
    public func label(for method: TransferMethod) -> String {
        let all = (autoRatio || !method.usesRatio) && (autoLambda || !method.usesLambda)
        let settings = !(autoRatio || autoLambda) ? nil : all ? "auto" : autoRatio ? "auto-r" : "auto-λ"
        guard autoLearningRate else { return settings ?? "auto" }
        return settings.map { $0 + "+lr" } ?? "auto-lr"
    }
}

extension TransferRecord {
    /// The method with its swept settings, e.g. `pacnet r=0.5 λ=0.01`, or `pacnet auto` for a
    /// cross-validated variant.
    public var variantLabel: String {
        if let selection { return "\(method.rawValue) \(selection.label(for: method))" }
        var label = method.rawValue
        if let ratio { label += " r=\(ratio)" }
        if let lambda, method != .packnet { label += " λ=\(lambda)" }
        return label
    }
}

extension ExperimentRecord {
    /// The record as one JSON object, keys in a fixed order, score keys named after the task's
    /// metrics (`target_rmse`, `target_rollout_rmse`, ..., then `source_...`).
    public func jsonLine(metrics: [String]) -> String {
        var line = JSONLine()
        switch self {
        case .stage(let r):
            line.add("task", r.task); line.add("seed", Int(r.seed)); line.add("stage", r.stage.jsonName)
            if let ratio = r.ratio { line.add("ratio", ratio) }
            for (metric, score) in zip(metrics, r.sourceScores) { line.add("source_\(metric)", score) }
            line.add("seconds", rounded(r.seconds))
        case .transfer(let r):
            line.add("task", r.task); line.add("seed", Int(r.seed)); line.add("n_target", r.nTarget)
            line.add("method", r.method.rawValue)
            if let ratio = r.ratio { line.add("ratio", ratio) }
            if let lambda = r.lambda { line.add("lambda", Double("\(lambda)")) }
            for (metric, score) in zip(metrics, r.targetScores) { line.add("target_\(metric)", score) }
            for (index, metric) in metrics.enumerated() { line.add("source_\(metric)", r.sourceScores?[index]) }
            line.add("seconds", rounded(r.seconds))
            if let selection = r.selection {
                line.add("selection", selection.label(for: r.method))
                if let ratio = selection.ratio { line.add("selected_ratio", ratio) }
                if let lambda = selection.lambda { line.add("selected_lambda", Double("\(lambda)")) }
                if let rate = selection.learningRate { line.add("selected_learning_rate", Double("\(rate)")) }
                line.add("selection_seconds", rounded(selection.seconds))
            }
        }
        return line.text
    }

    /// The record of a single-metric task as one JSON object.
    public func jsonLine(metric: String) -> String { jsonLine(metrics: [metric]) }

    private func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}

extension PACNetStage {
    /// The stage's name in the benchmarks' JSON lines, which call the trained source model's
    /// stage `source` (as recorded results always have).
    var jsonName: String { self == .trained ? "source" : rawValue }
}
