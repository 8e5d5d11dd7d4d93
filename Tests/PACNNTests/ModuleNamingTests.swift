import PACEngine
import PACNN
import Testing

@Suite("PyTorch-style parameter names and shapes")
struct ModuleNamingTests {
    @Test func mlpParameterNamesAndShapes() {
        var rng = RandomGenerator(seed: 1)
        let mlp = MLP(sizes: [10, 100, 100, 100, 1], activation: .relu, rng: &rng)
        let named = mlp.namedParameters()
        #expect(named.map(\.name) == [
            "layers.0.weight", "layers.0.bias",
            "layers.2.weight", "layers.2.bias",
            "layers.4.weight", "layers.4.bias",
            "layers.6.weight", "layers.6.bias",
        ])
        #expect(named.map(\.parameter.shape) == [[100, 10], [100], [100, 100], [100], [100, 100], [100], [1, 100], [1]])
        #expect(named.map(\.parameter.role) == [.weight, .bias, .weight, .bias, .weight, .bias, .weight, .bias])
        #expect(mlp.parameterCount == 100 * 10 + 100 + 2 * (100 * 100 + 100) + 100 + 1)
        #expect(mlp.sizes == [10, 100, 100, 100, 1] && mlp.activation == .relu)
        #expect(mlp.linearLayers.count == 4)
        #expect(mlp.layers.layers.count == 7)
        #expect(mlp.layers.layers[1] is ActivationLayer && mlp.layers.layers[5] is ActivationLayer)
        // Lookup by name returns the same objects.
        #expect(mlp.parameter(named: "layers.4.weight") === mlp.linearLayers[2].weight)
        #expect(mlp.parameter(named: "layers.6.bias") === mlp.linearLayers[3].bias)
        #expect(mlp.parameter(named: "layers.1.weight") == nil)
        #expect(mlp.parameters().count == 8)
    }

    @Test func linearAndSequentialNames() {
        var rng = RandomGenerator(seed: 2)
        let linear = Linear(inFeatures: 3, outFeatures: 2, rng: &rng)
        #expect(linear.namedParameters().map(\.name) == ["weight", "bias"])
        let noBias = Linear(inFeatures: 3, outFeatures: 2, bias: false, rng: &rng)
        #expect(noBias.namedParameters().map(\.name) == ["weight"])
        #expect(noBias.bias == nil)
        let sequential = Sequential([ActivationLayer(.tanh), linear, noBias, ActivationLayer(.sigmoid)])
        #expect(sequential.namedParameters().map(\.name) == ["1.weight", "1.bias", "2.weight"])
        #expect(ActivationLayer(.relu).namedParameters().isEmpty)
    }

    @Test func nestedModulesUseDottedPaths() {
        var rng = RandomGenerator(seed: 3)
        let inner = Sequential([Linear(inFeatures: 2, outFeatures: 2, rng: &rng)])
        let outer = Sequential([inner, ActivationLayer(.relu), MLP(sizes: [2, 3, 1], activation: .tanh, rng: &rng)])
        #expect(outer.namedParameters().map(\.name) == [
            "0.0.weight", "0.0.bias", "2.layers.0.weight", "2.layers.0.bias", "2.layers.2.weight", "2.layers.2.bias",
        ])
    }

    @Test func forwardShapesAndPredict() {
        var rng = RandomGenerator(seed: 4)
        let mlp = MLP(sizes: [10, 100, 100, 100, 1], activation: .relu, rng: &rng)
        let x = rng.uniformTensor(shape: [7, 10], low: -1, high: 1)
        let y = mlp(Variable(x))
        #expect(y.shape == [7, 1])
        #expect(y.requiresGrad)
        let predicted = mlp.predict(x)
        #expect(predicted == y.value)
        #expect(mlp.predict(x, batchSize: 3) == predicted)
        // The MLP is exactly the composition of its layers.
        var h = x
        for (i, layer) in mlp.linearLayers.enumerated() {
            h = h.matmul(layer.weight.value, transposeOther: true) + layer.bias!.value
            if i < 3 { h = h.relu() }
        }
        for (a, b) in zip(h.scalars, predicted.scalars) { #expect(abs(a - b) <= 1e-5 * max(1, abs(a))) }
    }

    @Test(arguments: Activation.allCases)
    func activationLayers(_ activation: Activation) {
        let x = Tensor([-1, 0.5, 2])
        let expected: Tensor = switch activation {
        case .relu: x.relu()
        case .tanh: x.tanh()
        case .sigmoid: x.sigmoid()
        }
        #expect(ActivationLayer(activation).predict(x) == expected)
        var rng = RandomGenerator(seed: 5)
        let mlp = MLP(sizes: [3, 4, 2], activation: activation, rng: &rng)
        #expect(mlp.sizes == [3, 4, 2] && mlp.activation == activation)
    }
}
