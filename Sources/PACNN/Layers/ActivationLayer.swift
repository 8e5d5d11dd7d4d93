import PACEngine

/// A parameter-free layer applying an `Activation` (PyTorch's `nn.ReLU`, `nn.Tanh`, `nn.Sigmoid`).
public final class ActivationLayer: Layer {
    public let activation: Activation
    public init(_ activation: Activation) { self.activation = activation }
    public func callAsFunction(_ input: Variable) -> Variable { activation.apply(input) }
    public func clone() -> ActivationLayer { ActivationLayer(activation) }
}
