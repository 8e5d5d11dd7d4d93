import PACEngine
import PACNN
import Testing
@testable import PACNet

/// DELTA's feature-map penalty and BSS: their values on hand-checkable cases and their effect.
@Suite struct RegularizedBaselineTests {
    @Test func featureMapPenaltyIsZeroAtTheSourceAndMatchesItsDefinition() {
        let source = Fixtures.network()
        let model = source.clone()
        let x = Fixtures.data(count: 8, seed: 30).inputs
        let delta = FeatureMapPenalty(source: source, weight: 0.5)
        let (prediction, penalty) = delta.apply(model, to: Variable(x))
        #expect(prediction.value == model.predict(x))
        #expect(penalty.value.scalar == 0)

        // Move one hidden weight; the penalty is 0.5 * sum over hidden maps of |F - F_s|^2 / (N * C).
        model.linearLayers[1].weight.value = model.linearLayers[1].weight.value.map { $0 + 0.1 }
        let (_, moved) = delta.apply(model, to: Variable(x))
        let a = model.trace(Variable(x)).featureMaps.map(\.value), b = source.trace(Variable(x)).featureMaps.map(\.value)
        var expected = 0.0
        for (m, s) in zip(a, b) {
            let d = zip(m.scalars, s.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            expected += d / Double(m.shape[0] * m.shape[1])
        }
        #expect(abs(Double(moved.value.scalar) - 0.5 * expected) < 1e-5 * max(1, expected))
        #expect(expected > 0)
        // The first hidden map did not move (only layer 1's weight changed).
        #expect(a[0] == b[0] && a[1] != b[1])
    }

    @Test func traceMatchesTheForwardPass() {
        let model = Fixtures.network()
        let x = Variable(Fixtures.data(count: 5, seed: 31).inputs)
        let trace = model.trace(x)
        #expect(trace.output.value == model(x).value)
        #expect(trace.featureMaps.map(\.shape) == [[5, 12], [5, 12]])
        #expect(trace.features.value == trace.featureMaps[1].value)
    }

    @Test func spectralShrinkagePenalizesTheSmallestSingularValue() {
        let model = Fixtures.network()
        let x = Fixtures.data(count: 16, seed: 32).inputs
        let (_, penalty) = SpectralShrinkage(weight: 2, count: 1).apply(model, to: Variable(x))
        // Against the eigenvalues of the 12 x 12 Gram matrix of the features.
        let f = model.trace(Variable(x)).features.value
        let d = f.shape[1]
        var gram = [Double](repeating: 0, count: d * d)
        for n in 0..<f.shape[0] {
            for i in 0..<d { for j in 0..<d { gram[i * d + j] += Double(f[n, i]) * Double(f[n, j]) } }
        }
        let smallest = SymmetricEigen(symmetric: gram, order: d).eigenvalues[0]
        #expect(abs(Double(penalty.value.scalar) - 2 * smallest) < 1e-4 * max(1, smallest))
    }

    @Test func strongDeltaKeepsFeaturesCloserThanFineTuning() throws {
        let (source, allocated, _) = try Fixtures.allocated()
        let target = Fixtures.data(count: 32, seed: 33, shift: 0.4)
        let probe = Fixtures.data(count: 64, seed: 34).inputs
        func drift(_ method: TransferMethod, _ baselines: BaselineSettings) throws -> Double {
            let setup = TransferSetup(source: source, allocated: allocated,
                                      makeFresh: { MLP(sizes: [3, 12, 12, 1], activation: .tanh, rng: &$0) },
                                      loss: .mse, schedule: Fixtures.schedule, lambda: 0.01, baselines: baselines)
            var rng = RandomGenerator(seed: 35)
            let model = try method.run(setup, target: target, rng: &rng).targetModel
            let a = model.trace(Variable(probe)).features.value, b = source.trace(Variable(probe)).features.value
            return zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        }
        var strong = BaselineSettings()
        strong.deltaFeatureWeight = 100
        #expect(try drift(.delta, strong) < 0.5 * drift(.finetune, BaselineSettings()))
    }
}
