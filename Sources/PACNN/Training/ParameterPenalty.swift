import PACEngine

/// A penalty on parameter values: `strength * (s_1 + s_2 + ...)` with `s_i = sum(u_i^2)` for one
/// term per parameter, where `u_i` is either the parameter times a 0/1 mask (PAC-Net's
/// `w_pruned`, pulled towards zero) or the parameter minus an anchor (L2-SP's `w - w_source`).
///
/// Kept as data rather than a closure so a trainer can run it without building a graph
/// (`MLPTrainingRun`), with the same arithmetic as `callAsFunction()`.
public struct ParameterPenalty {
    /// One parameter's part of the penalty.
    public enum Term {
        /// `sum((parameter * mask)^2)`.
        case masked(Parameter, mask: Tensor)
        /// `sum((parameter - anchor)^2)`.
        case anchored(Parameter, anchor: Tensor)

        /// The parameter this term reads.
        public var parameter: Parameter {
            switch self {
            case .masked(let parameter, _), .anchored(let parameter, _): parameter
            }
        }
    }

    public let terms: [Term]
    /// The factor in front of the sum (lambda).
    public let strength: Float

    public init(terms: [Term], strength: Float) {
        for term in terms {
            switch term {
            case .masked(let parameter, let other), .anchored(let parameter, let other):
                precondition(other.shape == parameter.shape, "penalty term \(other.shape) for parameter \(parameter.shape)")
            }
        }
        self.terms = terms
        self.strength = strength
    }

    /// The penalty as a graph node: `((0 + s_1) + s_2 + ...) * strength`.
    public func callAsFunction() -> Variable {
        terms.map { term in
            switch term {
            case .masked(let parameter, let mask): (parameter.variable * mask).squared().sum()
            case .anchored(let parameter, let anchor): (parameter.variable - anchor).squared().sum()
            }
        }.reduce(Variable(Tensor(0)), +) * strength
    }
}
