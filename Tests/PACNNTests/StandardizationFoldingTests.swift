import PACEngine
import PACNN
import Testing

/// Folding a standardization into an MLP gives the same function on raw units.
@Suite struct StandardizationFoldingTests {
    @Test(arguments: [[3, 8, 2], [4, 2]])
    func foldedNetworkMatchesExplicitScaling(sizes: [Int]) {
        var rng = RandomGenerator(seed: 1)
        let mlp = MLP(sizes: sizes, activation: .tanh, rng: &rng)
        let inputs = rng.uniformTensor(shape: [50, sizes[0]], low: -3, high: 7)
        let targets = rng.normalTensor(shape: [50, sizes.last!]) * Tensor(40) + Tensor(5)
        let standardization = Standardization(inputs: inputs, targets: targets)
        let x = rng.uniformTensor(shape: [9, sizes[0]], low: -3, high: 7)
        let explicit = standardization.denormalizeTargets(mlp.predict(standardization.normalizeInputs(x)))
        let folded = mlp.folding(standardization)
        let y = folded.predict(x)
        for (a, b) in zip(y.scalars, explicit.scalars) { #expect(abs(a - b) <= 1e-4 * max(1, abs(b)), "\(a) vs \(b)") }
        // The original is untouched.
        #expect(mlp.predict(x) != y)
    }
}
