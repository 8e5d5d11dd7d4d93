import PACEngine
import PACNN

/// Regularizers added to the target loss by the transfer methods.
public enum Penalty {
    /// L2-SP: `lambda * sum over all parameters of (w - w_reference)^2`, pulling every weight
    /// towards the source model's value (Li et al., 2018, as defined by the benchmark).
    public static func l2sp(_ model: some Module, reference: some Module, lambda: Float) -> ParameterPenalty {
        anchored(Array(zip(model.parameters(), reference.parameters().map(\.value))), lambda: lambda)
    }

    /// L2-SP on chosen parameters: `lambda * sum (w - w_start)^2`, anchored at their current
    /// values (DELTA's penalty on the head).
    public static func l2sp(_ parameters: [Parameter], lambda: Float) -> ParameterPenalty {
        anchored(parameters.map { ($0, $0.value) }, lambda: lambda)
    }

    private static func anchored(_ pairs: [(Parameter, Tensor)], lambda: Float) -> ParameterPenalty {
        ParameterPenalty(terms: pairs.map { .anchored($0.0, anchor: $0.1) }, strength: lambda)
    }

    /// PAC-Net's calibration penalty: `lambda * sum over pruned entries of w^2`, i.e.
    /// `lambda * ||w - w_allocated||^2` restricted to the entries calibration may change
    /// (allocated pruned entries are exactly 0).
    public static func prunedL2(_ model: some Module, masks: WeightMasks, lambda: Float) -> ParameterPenalty {
        ParameterPenalty(terms: masks.inverted().parameters(of: model).map { .masked($0.parameter, mask: $0.mask) }, strength: lambda)
    }
}
