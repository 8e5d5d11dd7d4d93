/// How far through the PAC-Net pipeline a model file is.
public enum ModelStage: String, Sendable, CaseIterable {
    /// Trained on the source task (or imported).
    case trained
    /// Magnitude-pruned; carries masks.
    case pruned
    /// Retrained on the source with pruned weights held at zero.
    case allocated
    /// Pruned weights trained on the target: the file serves both tasks.
    case calibrated

    /// The tasks a file at this stage serves.
    public var tasks: [Task] { self == .calibrated ? [.source, .target] : [.source] }
}

import PACNet

/// The two tasks a PAC-Net model serves.
public enum Task: String, Sendable, CaseIterable {
    /// Masked network: the source model.
    case source
    /// Whole network: the target model.
    case target
}

extension Task {
    /// The head serving this task in a multi-head network (`TaskHeads`).
    public var head: Int { self == .source ? TaskHeads.source : TaskHeads.target }
}
