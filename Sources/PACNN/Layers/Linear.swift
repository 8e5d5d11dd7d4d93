import PACEngine

/// A fully connected layer, `y = x * weightᵀ + bias`, with PyTorch's parameter layout and
/// default initialization: weight and bias ~ U(-1/sqrt(inFeatures), 1/sqrt(inFeatures))
/// (what `kaiming_uniform_(a=sqrt(5))` reduces to).
public final class Linear: Layer {
    /// `[outFeatures, inFeatures]`.
    public let weight: Parameter
    /// `[outFeatures]`, if the layer has a bias.
    public let bias: Parameter?

    /// A layer initialized from `rng` (weight first, then bias).
    public init(inFeatures: Int, outFeatures: Int, bias hasBias: Bool = true, rng: inout RandomGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear needs positive sizes")
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Parameter(rng.uniformTensor(shape: [outFeatures, inFeatures], low: -bound, high: bound), role: .weight)
        bias = hasBias ? Parameter(rng.uniformTensor(shape: [outFeatures], low: -bound, high: bound), role: .bias) : nil
    }

    /// A layer with given parameter values.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Linear bias \(bias.shape) for weight \(weight.shape)") }
        self.weight = Parameter(weight, role: .weight)
        self.bias = bias.map { Parameter($0, role: .bias) }
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.linear(input, weight: weight.variable, bias: bias?.variable)
    }

    /// The layer followed by `activation`, fused into one operation.
    public func callAsFunction(_ input: Variable, activation: Activation) -> Variable {
        Variable.linear(input, weight: weight.variable, bias: bias?.variable, activation: activation)
    }

    public func clone() -> Linear {
        let copy = Linear(weight: weight.value, bias: bias?.value)
        copy.weight.updateMask = weight.updateMask
        copy.bias?.updateMask = bias?.updateMask
        return copy
    }
}
