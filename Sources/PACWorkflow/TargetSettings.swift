import PACNet

/// What calibration may change for the target and at which learning rate: PAC-Net's choices
/// beyond the ratio and lambda, for `calibrate` and `transfer`.
public struct TargetSettings: Sendable, Equatable {
    /// Only the pruned weights (the paper's), or also the target's own biases and normalization.
    public var freedom: TargetFreedom
    /// Adam's step size in calibration: fixed, `auto` (cross-validated from
    /// `HyperparameterSelection.learningRates`) or `nil` for the schedule's.
    public var learningRate: Tunable<LearningRate>?

    public init(freedom: TargetFreedom = .prunedWeights, learningRate: Tunable<LearningRate>? = nil) {
        self.freedom = freedom
        self.learningRate = learningRate
    }
}
