import PACEngine

/// Layers applied in order; children are named by position (`0`, `1`, ...), as in
/// PyTorch's `nn.Sequential`, so parameter-free layers still take an index.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        layers.reduce(input) { x, layer in layer(x) }
    }

    public func clone() -> Sequential { Sequential(layers.map { $0.clone() }) }
}
