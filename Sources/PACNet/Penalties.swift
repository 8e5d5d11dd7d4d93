import PACEngine
import PACNN

/// Regularizers added to the target loss by the transfer methods.
public enum Penalty {
    /// L2-SP: `lambda * sum over all parameters of (w - w_reference)^2`, pulling every weight
    /// towards the source model's value (Li et al., 2018, as defined by the benchmark).
    public static func l2sp(_ model: some Module, reference: some Module, lambda: Float) -> () -> Variable {
        let pairs = zip(model.parameters(), reference.parameters().map(\.value)).map { ($0.variable, Variable($1)) }
        return {
            pairs.map { parameter, anchor in (parameter - anchor).squared().sum() }
                .reduce(Variable(Tensor(0)), +) * lambda
        }
    }

    /// PAC-Net's calibration penalty: `lambda * sum over pruned entries of w^2`, i.e.
    /// `lambda * ||w - w_allocated||^2` restricted to the entries calibration may change
    /// (allocated pruned entries are exactly 0).
    public static func prunedL2(_ model: some Module, masks: WeightMasks, lambda: Float) -> () -> Variable {
        let pairs = masks.inverted().parameters(of: model).map { ($0.parameter.variable, $0.mask) }
        return {
            pairs.map { parameter, free in (parameter * free).squared().sum() }
                .reduce(Variable(Tensor(0)), +) * lambda
        }
    }
}
