import PACEngine
import PACNN
import Testing
@testable import PACNet

@Suite struct PenaltyTests {
    @Test func prunedL2SumsSquaresOfPrunedEntriesOnly() {
        let model = Fixtures.network()
        let masks = MagnitudePruning(ratio: 0.6).masks(for: model)
        let penalty = Penalty.prunedL2(model, masks: masks, lambda: 0.3)()
        var expected = 0.0
        for (parameter, mask) in masks.parameters(of: model) {
            for (w, m) in zip(parameter.value.scalars, mask.scalars) where m == 0 { expected += Double(w * w) }
        }
        #expect(abs(Double(penalty.value.scalar) - 0.3 * expected) < 1e-5 * max(1, expected))
        penalty.backward()
        for (parameter, mask) in masks.parameters(of: model) {
            for i in 0..<mask.count {
                let g = parameter.grad!.scalars[i], w = parameter.value.scalars[i]
                #expect(abs(g - (mask.scalars[i] == 0 ? 0.6 * w : 0)) < 1e-6)
            }
        }
        // Biases are not part of the penalty.
        #expect(model.namedParameters().filter { $0.name.hasSuffix("bias") }.allSatisfy { $0.parameter.grad == nil })
    }

    @Test func l2spPullsEveryParameterTowardsTheReference() {
        let reference = Fixtures.network(seed: 1)
        let model = Fixtures.network(seed: 2)
        let penalty = Penalty.l2sp(model, reference: reference, lambda: 0.5)()
        var expected = 0.0
        for (p, r) in zip(model.parameters(), reference.parameters()) {
            for (a, b) in zip(p.value.scalars, r.value.scalars) { expected += Double((a - b) * (a - b)) }
        }
        #expect(abs(Double(penalty.value.scalar) - 0.5 * expected) < 1e-4 * max(1, expected))
        penalty.backward()
        for (p, r) in zip(model.parameters(), reference.parameters()) {
            let expectedGrad = (p.value - r.value) * 1.0
            for (g, e) in zip(p.grad!.scalars, expectedGrad.scalars) { #expect(abs(g - e) < 1e-5) }
        }
    }
}
