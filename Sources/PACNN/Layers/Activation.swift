import PACEngine

/// The elementwise nonlinearities available as layers.
public enum Activation: String, CaseIterable, Sendable {
    case relu, tanh, sigmoid

    /// Applies the nonlinearity.
    public func apply(_ x: Variable) -> Variable {
        switch self {
        case .relu: x.relu()
        case .tanh: x.tanh()
        case .sigmoid: x.sigmoid()
        }
    }
}

/// A parameter-free layer applying an `Activation` (PyTorch's `nn.ReLU`, `nn.Tanh`, `nn.Sigmoid`).
public final class ActivationLayer: Layer {
    public let activation: Activation
    public init(_ activation: Activation) { self.activation = activation }
    public func callAsFunction(_ input: Variable) -> Variable { activation.apply(input) }
    public func clone() -> ActivationLayer { ActivationLayer(activation) }
}
