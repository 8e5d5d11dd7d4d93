import PACEngine

/// A multilayer perceptron: `Linear` layers with an activation between them (none after the
/// last). Parameters are named like a PyTorch module holding `self.layers = nn.Sequential(...)`:
/// `layers.0.weight`, `layers.0.bias`, `layers.2.weight`, ...
public final class MLP: Layer {
    /// Layer widths, input first (for example `[10, 100, 100, 100, 1]`).
    public let sizes: [Int]
    public let activation: Activation
    public let layers: Sequential

    /// A freshly initialized MLP (PyTorch default init, layers drawn in order from `rng`).
    public init(sizes: [Int], activation: Activation, rng: inout RandomGenerator) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP needs at least two positive sizes, got \(sizes)")
        self.sizes = sizes
        self.activation = activation
        var modules: [any Layer] = []
        for i in 0..<(sizes.count - 1) {
            modules.append(Linear(inFeatures: sizes[i], outFeatures: sizes[i + 1], rng: &rng))
            if i < sizes.count - 2 { modules.append(ActivationLayer(activation)) }
        }
        layers = Sequential(modules)
    }

    private init(sizes: [Int], activation: Activation, layers: Sequential) {
        self.sizes = sizes
        self.activation = activation
        self.layers = layers
    }

    /// The `Linear` layers in order.
    public var linearLayers: [Linear] { layers.layers.compactMap { $0 as? Linear } }

    public var children: [(name: String, module: any Module)] { [("layers", layers)] }

    public func callAsFunction(_ input: Variable) -> Variable { layers(input) }

    public func clone() -> MLP { MLP(sizes: sizes, activation: activation, layers: layers.clone()) }
}
