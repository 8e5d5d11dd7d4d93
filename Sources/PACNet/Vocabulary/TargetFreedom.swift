/// How much of the network PAC-Net's calibration may change for the target task.
public enum TargetFreedom: String, Sendable, Hashable, CaseIterable {
    /// Only the pruned weights (and a multi-task network's target head), as in the paper.
    case prunedWeights = "pruned"
    /// The pruned weights plus the target's own copy of every bias, normalization parameter and
    /// running statistic (`SourceCopies`); the source model keeps the originals.
    case ownBiases = "own-biases"
}
