import PACEngine
import PACNN
import Testing
@testable import PACNet

@Suite struct TransferMethodTests {
    func setup(lambda: Float) throws -> (TransferSetup<MLP>, Dataset, Dataset) {
        let (source, allocated, sourceData) = try Fixtures.allocated()
        let target = Fixtures.data(count: 32, seed: 11, shift: 0.4)
        let setup = TransferSetup(source: source, allocated: allocated,
                                  makeFresh: { MLP(sizes: [3, 12, 12, 1], activation: .tanh, rng: &$0) },
                                  loss: .mse, schedule: Fixtures.schedule, lambda: lambda)
        return (setup, target, sourceData)
    }

    @Test func everyMethodLeavesTheSourceModelUntouched() throws {
        let (setup, target, _) = try setup(lambda: 0.01)
        let before = setup.source.stateDict().map { Fixtures.bits($0.value) }
        let allocatedBefore = setup.allocated!.network.stateDict().map { Fixtures.bits($0.value) }
        for method in TransferMethod.allCases {
            var rng = RandomGenerator(seed: 12)
            let result = try method.run(setup, target: target, rng: &rng)
            #expect((result.sourceModel == nil) == (method == .scratch))
        }
        #expect(setup.source.stateDict().map { Fixtures.bits($0.value) } == before)
        #expect(setup.allocated!.network.stateDict().map { Fixtures.bits($0.value) } == allocatedBefore)
    }

    @Test func pacnetSourceModelReproducesAllocatedPredictions() throws {
        let (setup, target, sourceData) = try setup(lambda: 0.01)
        var rng = RandomGenerator(seed: 13)
        let result = try TransferMethod.pacnet.run(setup, target: target, rng: &rng)
        #expect(Fixtures.bits(result.sourceModel!.predict(sourceData.inputs))
                == Fixtures.bits(setup.allocated!.network.predict(sourceData.inputs)))
    }

    @Test func strongL2SPStaysCloserToTheSourceThanFineTuning() throws {
        let (setup, target, _) = try setup(lambda: 10)
        func distance(_ method: TransferMethod) throws -> Double {
            var rng = RandomGenerator(seed: 14)
            let model = try method.run(setup, target: target, rng: &rng).targetModel
            return zip(model.parameters(), setup.source.parameters()).reduce(0.0) { total, pair in
                total + zip(pair.0.value.scalars, pair.1.value.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            }
        }
        #expect(try distance(.l2sp) < distance(.finetune))
    }

    @Test func scratchStartsFromAFreshNetwork() throws {
        let (setup, target, _) = try setup(lambda: 0.01)
        var a = RandomGenerator(seed: 15), b = RandomGenerator(seed: 15)
        let first = try TransferMethod.scratch.run(setup, target: target, rng: &a).targetModel
        let second = try TransferMethod.scratch.run(setup, target: target, rng: &b).targetModel
        #expect(first.stateDict().map { Fixtures.bits($0.value) } == second.stateDict().map { Fixtures.bits($0.value) })
        #expect(first.stateDict().map(\.value) != setup.source.stateDict().map(\.value))
    }
}

@Suite struct FreezeAndPackNetTests {
    @Test func freezeTrainsOnlyTheLastLayer() throws {
        let (source, allocated, _) = try Fixtures.allocated()
        let setup = TransferSetup(source: source, allocated: allocated,
                                  makeFresh: { MLP(sizes: [3, 12, 12, 1], activation: .tanh, rng: &$0) },
                                  loss: .mse, schedule: Fixtures.schedule, lambda: 0.01)
        var rng = RandomGenerator(seed: 16)
        let model = try TransferMethod.freeze.run(setup, target: Fixtures.data(count: 32, seed: 17, shift: 0.4), rng: &rng).targetModel
        let last = Set(Method.lastLayerParameters(of: model).map(ObjectIdentifier.init))
        #expect(last.count == 2)
        for ((name, after), (_, before)) in zip(model.namedParameters(), source.namedParameters()) {
            let same = Fixtures.bits(after.value) == Fixtures.bits(before.value)
            #expect(same == !last.contains(ObjectIdentifier(after)), "\(name)")
        }
        #expect(model.parameters().allSatisfy { $0.updateMask == nil })
    }

    @Test func packnetIsPACNetWithoutThePenalty() throws {
        let (source, allocated, _) = try Fixtures.allocated()
        let target = Fixtures.data(count: 32, seed: 18, shift: 0.4)
        func run(_ method: TransferMethod, lambda: Float) throws -> [[UInt32]] {
            let setup = TransferSetup(source: source, allocated: allocated,
                                      makeFresh: { MLP(sizes: [3, 12, 12, 1], activation: .tanh, rng: &$0) },
                                      loss: .mse, schedule: Fixtures.schedule, lambda: lambda)
            var rng = RandomGenerator(seed: 19)
            return try method.run(setup, target: target, rng: &rng).targetModel.stateDict().map { Fixtures.bits($0.value) }
        }
        #expect(try run(.packnet, lambda: 0.5) == run(.pacnet, lambda: 0))
        #expect(try run(.packnet, lambda: 0.5) != run(.pacnet, lambda: 0.5))
    }
}
