import PACEngine
import PACNN
import Testing

@Suite("Linear layer initialization (PyTorch default)")
struct LinearInitTests {
    @Test func weightsAndBiasWithinFanInBound() {
        var rng = RandomGenerator(seed: 1)
        let layer = Linear(inFeatures: 100, outFeatures: 200, rng: &rng)
        let bound = 1 / Float(100).squareRoot()
        #expect(layer.weight.shape == [200, 100] && layer.bias!.shape == [200])
        #expect(layer.inFeatures == 100 && layer.outFeatures == 200)
        #expect(layer.weight.value.max() <= bound && layer.weight.value.min() >= -bound)
        #expect(layer.bias!.value.max() <= bound && layer.bias!.value.min() >= -bound)
        // The range is actually used (not a narrower distribution).
        #expect(layer.weight.value.max() > 0.99 * bound && layer.weight.value.min() < -0.99 * bound)
        #expect(layer.bias!.value.max() > 0.9 * bound && layer.bias!.value.min() < -0.9 * bound)
        // Bias uses fan-in too, not fan-out: with fan_out = 200 the bound would be smaller.
        #expect(layer.bias!.value.scalars.contains { abs($0) > 1 / Float(200).squareRoot() })
    }

    @Test func weightsAreRoughlyUniform() {
        var rng = RandomGenerator(seed: 2)
        let layer = Linear(inFeatures: 64, outFeatures: 400, rng: &rng)
        let bound = Double(1 / Float(64).squareRoot())
        let w = layer.weight.value.scalars.map(Double.init)
        let n = Double(w.count)
        let mean = w.reduce(0, +) / n
        let variance = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        #expect(abs(mean) < 0.01 * bound)
        // U(-b, b) has variance b^2 / 3.
        #expect(abs(variance / (bound * bound / 3) - 1) < 0.03)
        // Ten equal bins each hold about 10%.
        var bins = Array(repeating: 0, count: 10)
        for x in w { bins[min(9, Int((x + bound) / (2 * bound) * 10))] += 1 }
        #expect(bins.allSatisfy { abs(Double($0) / n - 0.1) < 0.01 }, "\(bins)")
    }

    @Test func sameSeedSameParameters() {
        var a = RandomGenerator(seed: 7, stream: "init"), b = RandomGenerator(seed: 7, stream: "init")
        let first = MLP(sizes: [10, 100, 100, 100, 1], activation: .relu, rng: &a)
        let second = MLP(sizes: [10, 100, 100, 100, 1], activation: .relu, rng: &b)
        for (p, q) in zip(first.parameters(), second.parameters()) {
            #expect(p.value.scalars.map(\.bitPattern) == q.value.scalars.map(\.bitPattern))
        }
        var c = RandomGenerator(seed: 8, stream: "init")
        let third = MLP(sizes: [10, 100, 100, 100, 1], activation: .relu, rng: &c)
        #expect(first.parameters()[0].value != third.parameters()[0].value)
        // Layers draw weight then bias, in order, from the same generator.
        var d = RandomGenerator(seed: 7, stream: "init")
        let bound = 1 / Float(10).squareRoot()
        let w0 = d.uniformTensor(shape: [100, 10], low: -bound, high: bound)
        let b0 = d.uniformTensor(shape: [100], low: -bound, high: bound)
        #expect(first.parameters()[0].value == w0 && first.parameters()[1].value == b0)
    }

    @Test func explicitParameters() {
        let layer = Linear(weight: Tensor(rows: [[1, 2], [3, 4], [5, 6]]), bias: Tensor([1, 0, -1]))
        #expect(layer.inFeatures == 2 && layer.outFeatures == 3)
        #expect(layer.predict(Tensor(rows: [[1, 1]])) == Tensor(rows: [[4, 7, 10]]))
        let noBias = Linear(weight: Tensor(rows: [[2, 0]]), bias: nil)
        #expect(noBias.predict(Tensor(rows: [[3, 5], [1, 1]])) == Tensor(rows: [[6], [2]]))
    }

    /// Finite differences through the layer object itself: perturb each parameter entry in place.
    @Test func layerParameterGradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 9)
        let layer = Linear(inFeatures: 3, outFeatures: 4, rng: &rng)
        let x = rng.uniformTensor(shape: [5, 3], low: -1, high: 1)
        let weights = rng.uniformTensor(shape: [5, 4], low: -1, high: 1)
        func objective() -> Double {
            zip(layer.predict(x).tanh().scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        layer(Variable(x)).tanh().backward(seed: weights)
        let epsilon: Float = 1e-2
        for parameter in layer.parameters() {
            let analytic = parameter.grad!
            #expect(analytic.shape == parameter.shape)
            for j in 0..<parameter.value.count {
                let original = parameter.value.scalars[j]
                parameter.variable.value.scalars[j] = original + epsilon
                let plus = objective()
                parameter.variable.value.scalars[j] = original - epsilon
                let minus = objective()
                parameter.variable.value.scalars[j] = original
                let numeric = Float((plus - minus) / Double(2 * epsilon))
                #expect(abs(numeric - analytic.scalars[j]) <= 1e-3 + 1e-2 * abs(numeric))
            }
        }
    }
}
