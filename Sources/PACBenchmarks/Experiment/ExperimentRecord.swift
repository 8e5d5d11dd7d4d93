import PACIO
import PACNet

/// One measured result of a benchmark run.
public enum ExperimentRecord: Sendable, Equatable {
    /// The source model's score at a stage of PAC-Net's pipeline.
    case stage(StageRecord)
    /// A method's scores after transfer with `nTarget` target samples.
    case transfer(TransferRecord)
}

/// The stages at which the source model is scored.
public enum PipelineStage: String, CaseIterable, Sendable {
    /// Trained on the source.
    case source
    /// After magnitude pruning.
    case pruned
    /// After allocation (retraining with pruned entries held at zero).
    case allocated
}

public struct StageRecord: Sendable, Equatable {
    public let task: String
    public let seed: UInt64
    public let stage: PipelineStage
    /// The source test score of the model at this stage.
    public let sourceScore: Double
    /// Time spent producing this stage.
    public let seconds: Double
}

public struct TransferRecord: Sendable, Equatable {
    public let task: String
    public let seed: UInt64
    public let nTarget: Int
    public let method: TransferMethod
    public let targetScore: Double
    /// The source test score after transfer (`nil` for `scratch`; the masked network's for PAC-Net).
    public let sourceScore: Double?
    /// Target training time.
    public let seconds: Double
}

extension ExperimentRecord {
    /// The record as one JSON object, keys in a fixed order, metric keys named after `metric`.
    public func jsonLine(metric: String) -> String {
        var line = JSONLine()
        switch self {
        case .stage(let r):
            line.add("task", r.task); line.add("seed", Int(r.seed)); line.add("stage", r.stage.rawValue)
            line.add("source_\(metric)", r.sourceScore); line.add("seconds", rounded(r.seconds))
        case .transfer(let r):
            line.add("task", r.task); line.add("seed", Int(r.seed)); line.add("n_target", r.nTarget)
            line.add("method", r.method.rawValue); line.add("target_\(metric)", r.targetScore)
            line.add("source_\(metric)", r.sourceScore); line.add("seconds", rounded(r.seconds))
        }
        return line.text
    }

    private func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
