import PACEngine
import PACNN
import Testing
@testable import PACNet

@Suite struct MagnitudePruningTests {
    @Test func globalPruningKeepsExactlyTheLargestMagnitudes() {
        let model = Fixtures.network()
        let masks = MagnitudePruning(ratio: 0.8).masks(for: model)
        let weights = model.namedParameters().filter { $0.parameter.role == .weight }
        #expect(masks.masks.map(\.name) == weights.map(\.name))
        let all = weights.flatMap { $0.parameter.value.scalars }
        let flags = masks.masks.flatMap { $0.mask.scalars }
        let pruned = Int((0.8 * Double(all.count)).rounded())
        #expect(flags.filter { $0 == 1 }.count == all.count - pruned)
        let keptMin = zip(all, flags).filter { $0.1 == 1 }.map { abs($0.0) }.min()!
        let prunedMax = zip(all, flags).filter { $0.1 == 0 }.map { abs($0.0) }.max()!
        #expect(keptMin >= prunedMax)
    }

    @Test func tiesAreBrokenByPositionEarliestFirst() {
        let model = MLP(sizes: [2, 3, 1], activation: .relu, rng: &Self.rng)
        model.linearLayers[0].weight.value = Tensor(repeating: 0.5, shape: [3, 2])
        model.linearLayers[1].weight.value = Tensor(shape: [1, 3], scalars: [-0.5, 0.5, 0.1])
        // 9 weights, ratio 0.5 prunes round(4.5) = 5 (ties to even? no: .rounded() is half away from zero) -> 4 kept.
        let masks = MagnitudePruning(ratio: 0.5).masks(for: model)
        #expect(masks.keptCount == 9 - 5)
        #expect(masks["layers.0.weight"]!.scalars == [1, 1, 1, 1, 0, 0])
        #expect(masks["layers.2.weight"]!.scalars == [0, 0, 0])
        // Same input, same masks: deterministic.
        #expect(MagnitudePruning(ratio: 0.5).masks(for: model).masks.map(\.mask) == masks.masks.map(\.mask))
    }

    @Test func perLayerScopeRanksEachParameterSeparately() {
        let model = Fixtures.network()
        let masks = MagnitudePruning(ratio: 0.75, scope: .perLayer).masks(for: model)
        for (name, mask) in masks.masks {
            let weight = model.parameter(named: name)!.value
            let pruned = Int((0.75 * Double(weight.count)).rounded())
            #expect(mask.scalars.filter { $0 == 1 }.count == weight.count - pruned, "\(name)")
            let kept = zip(weight.scalars, mask.scalars).filter { $0.1 == 1 }.map { abs($0.0) }
            let dropped = zip(weight.scalars, mask.scalars).filter { $0.1 == 0 }.map { abs($0.0) }
            #expect((kept.min() ?? .infinity) >= (dropped.max() ?? 0), "\(name)")
        }
    }

    @Test func biasesArePrunedOnlyWhenAsked() {
        let model = Fixtures.network()
        let weightsOnly = MagnitudePruning(ratio: 0.5).masks(for: model)
        #expect(weightsOnly.masks.allSatisfy { $0.name.hasSuffix(".weight") })
        let withBiases = MagnitudePruning(ratio: 0.5, includeBiases: true).masks(for: model)
        #expect(withBiases.masks.count == model.namedParameters().count)
        #expect(withBiases.totalCount == model.parameterCount)
    }

    @Test func zeroPrunedWritesPositiveZeroAndLeavesKeptEntries() {
        let model = Fixtures.network()
        let before = model.stateDict()
        let masks = MagnitudePruning(ratio: 0.8).masks(for: model)
        masks.zeroPruned(in: model)
        for (name, mask) in masks.masks {
            let old = before.first { $0.name == name }!.value
            let new = model.parameter(named: name)!.value
            for i in 0..<mask.count {
                #expect(new.scalars[i].bitPattern == (mask.scalars[i] == 1 ? old.scalars[i].bitPattern : Float(0).bitPattern))
            }
        }
    }

    nonisolated(unsafe) static var rng = RandomGenerator(seed: 9)
}
