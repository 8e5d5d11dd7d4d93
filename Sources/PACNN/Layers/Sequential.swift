import PACEngine

/// Layers applied in order; children are named by position (`0`, `1`, ...), as in
/// PyTorch's `nn.Sequential`, so parameter-free layers still take an index. A `Linear` followed by
/// an `ActivationLayer` runs as one fused operation (same results, one pass less).
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        var x = input
        var i = 0
        while i < layers.count {
            if let linear = layers[i] as? Linear, i + 1 < layers.count, let next = layers[i + 1] as? ActivationLayer {
                x = linear(x, activation: next.activation)
                i += 2
            } else {
                x = layers[i](x)
                i += 1
            }
        }
        return x
    }

    public func clone() -> Sequential { Sequential(layers.map { $0.clone() }) }
}
