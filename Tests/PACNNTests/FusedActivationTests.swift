import PACEngine
import PACNN
import Testing

/// `Sequential` fuses `Linear` + activation; the fused path must equal the separate ops bit for
/// bit, in outputs and in every gradient.
@Suite struct FusedActivationTests {
    @Test(arguments: Activation.allCases)
    func fusedEqualsUnfused(activation: Activation) {
        var rng = RandomGenerator(seed: 21, stream: "fused")
        let layer = Linear(inFeatures: 7, outFeatures: 5, rng: &rng)
        let x = rng.uniformTensor(shape: [9, 7], low: -2, high: 2)
        let seed = rng.uniformTensor(shape: [9, 5], low: -1, high: 1)

        let fused = Sequential([layer, ActivationLayer(activation)])(Variable(x))
        fused.backward(seed: seed)
        let fusedGrads = layer.parameters().map { $0.grad! }
        layer.zeroGrad()

        let separate = activation.apply(layer(Variable(x)))
        separate.backward(seed: seed)
        let separateGrads = layer.parameters().map { $0.grad! }

        #expect(fused.value.scalars.map(\.bitPattern) == separate.value.scalars.map(\.bitPattern))
        for (a, b) in zip(fusedGrads, separateGrads) {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
    }
}
