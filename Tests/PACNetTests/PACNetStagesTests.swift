import PACEngine
import PACNN
import Testing
@testable import PACNet

@Suite struct PACNetStagesTests {
    @Test func pruneZeroesACopyAndLeavesTheSourceUntouched() {
        let source = Fixtures.network()
        let before = source.stateDict().map { Fixtures.bits($0.value) }
        let pacnet = PACNetModel.pruned(source, with: MagnitudePruning(ratio: 0.8))
        #expect(source.stateDict().map { Fixtures.bits($0.value) } == before)
        for (parameter, mask) in pacnet.masks.parameters(of: pacnet.network) {
            for i in 0..<mask.count where mask.scalars[i] == 0 { #expect(parameter.value.scalars[i].bitPattern == 0) }
        }
    }

    @Test func allocationHoldsPrunedEntriesAtZeroAndTrainsTheRest() throws {
        let source = Fixtures.network()
        let data = Fixtures.data(count: 128, seed: 2)
        // At 0.8 global pruning removes this tiny network's whole output layer; 0.5 keeps every layer alive.
        let prunedModel = PACNetModel.pruned(source, with: MagnitudePruning(ratio: 0.5))
        #expect(prunedModel.masks.masks.allSatisfy { $0.mask.scalars.contains(1) })
        let pruned = prunedModel.network.stateDict()
        var rng = RandomGenerator(seed: 4)
        let pacnet = try prunedModel.allocated(on: data, loss: .mse, schedule: Fixtures.schedule, rng: &rng)
        // Allocation returns a copy: the pruned model is untouched.
        #expect(prunedModel.network.stateDict().map { Fixtures.bits($0.value) } == pruned.map { Fixtures.bits($0.value) })
        var keptChanged = 0
        for (name, mask) in pacnet.masks.masks {
            let now = pacnet.network.parameter(named: name)!.value
            let then = pruned.first { $0.name == name }!.value
            for i in 0..<mask.count {
                if mask.scalars[i] == 0 {
                    #expect(now.scalars[i].bitPattern == 0, "\(name)[\(i)] left zero")
                } else if now.scalars[i] != then.scalars[i] {
                    keptChanged += 1
                }
            }
        }
        #expect(keptChanged > 0)
        // Update masks are training-time state only.
        #expect(pacnet.network.parameters().allSatisfy { $0.updateMask == nil })
    }

    @Test func calibrationChangesOnlyPrunedEntriesBitExactly() throws {
        let (_, allocated, sourceData) = try Fixtures.allocated()
        let target = Fixtures.data(count: 40, seed: 5, shift: 0.5)
        var rng = RandomGenerator(seed: 6)
        let calibrated = try allocated.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: 0.01, rng: &rng)
        let masks = Dictionary(uniqueKeysWithValues: allocated.masks.masks.map { ($0.name, $0.mask) })
        var prunedChanged = 0
        for ((name, before), (_, after)) in zip(allocated.network.stateDict(), calibrated.network.stateDict()) {
            guard let mask = masks[name] else {
                // Biases (not pruned) are frozen bit-for-bit.
                #expect(Fixtures.bits(before) == Fixtures.bits(after), "\(name) changed")
                continue
            }
            for i in 0..<mask.count {
                if mask.scalars[i] == 1 {
                    #expect(before.scalars[i].bitPattern == after.scalars[i].bitPattern, "\(name)[\(i)] kept entry changed")
                } else if after.scalars[i] != 0 {
                    prunedChanged += 1
                }
            }
        }
        #expect(prunedChanged > 0)
        // The masked network is the source model: its predictions equal the allocated network's exactly.
        let sourceView = calibrated.sourceModel()
        #expect(Fixtures.bits(sourceView.predict(sourceData.inputs)) == Fixtures.bits(allocated.network.predict(sourceData.inputs)))
        // The whole network is a different (target) model.
        #expect(calibrated.targetModel.predict(target.inputs) != allocated.network.predict(target.inputs))
        // The allocated network itself was not touched by calibrating a copy.
        #expect(allocated.network.parameters().allSatisfy { $0.updateMask == nil })
    }

    @Test func calibrationIsDeterministicForASeed() throws {
        let (_, allocated, _) = try Fixtures.allocated()
        let target = Fixtures.data(count: 24, seed: 7, shift: 0.3)
        func run() throws -> [[UInt32]] {
            var rng = RandomGenerator(seed: 8)
            return try allocated.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: 0.01, rng: &rng)
                .network.stateDict().map { Fixtures.bits($0.value) }
        }
        #expect(try run() == run())
    }

    @Test func largerLambdaKeepsPrunedWeightsSmaller() throws {
        let (_, allocated, _) = try Fixtures.allocated()
        let target = Fixtures.data(count: 40, seed: 5, shift: 0.5)
        func prunedNorm(_ lambda: PenaltyStrength) throws -> Double {
            var rng = RandomGenerator(seed: 6)
            let c = try allocated.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: lambda, rng: &rng)
            return c.masks.inverted().parameters(of: c.network).reduce(0.0) { total, pair in
                total + zip(pair.parameter.value.scalars, pair.mask.scalars).reduce(0.0) { $0 + Double($1.0 * $1.0 * $1.1) }
            }
        }
        #expect(try prunedNorm(1.0) < prunedNorm(0))
    }
}
