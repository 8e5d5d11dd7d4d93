import PACEngine
import PACNN
import Testing

@Suite("Cloning and state dictionaries")
struct ModuleStateTests {
    private func makeMLP(seed: UInt64) -> MLP {
        var rng = RandomGenerator(seed: seed, stream: "init")
        return MLP(sizes: [4, 8, 8, 2], activation: .tanh, rng: &rng)
    }

    private func bits(_ module: some Module) -> [[UInt32]] {
        module.parameters().map { $0.value.scalars.map(\.bitPattern) }
    }

    @Test func cloneIsDeep() {
        let original = makeMLP(seed: 1)
        original.linearLayers[0].weight.updateMask = Tensor(shape: [8, 4], generating: { Float($0 % 2) })
        let before = bits(original)
        let copy = original.clone()
        #expect(bits(copy) == before)
        #expect(copy.namedParameters().map(\.name) == original.namedParameters().map(\.name))
        #expect(copy.sizes == original.sizes && copy.activation == original.activation)
        #expect(copy.linearLayers[0].weight.updateMask == original.linearLayers[0].weight.updateMask)
        for (a, b) in zip(copy.parameters(), original.parameters()) {
            #expect(a !== b)
            #expect(a.variable !== b.variable)
        }
        // Mutate every parameter of the clone in place (value, scalars, mask): the original is unchanged.
        for parameter in copy.parameters() {
            parameter.value = parameter.value * 3 + 1
            parameter.variable.value.scalars[0] = 99
            parameter.freeze()
        }
        #expect(bits(original) == before)
        #expect(original.linearLayers[0].weight.updateMask == Tensor(shape: [8, 4], generating: { Float($0 % 2) }))
        #expect(original.linearLayers[1].weight.updateMask == nil)
        // And the other way round.
        let second = original.clone()
        let secondBits = bits(second)
        original.linearLayers[2].bias!.value = Tensor(zeros: [2])
        #expect(bits(second) == secondBits)
    }

    @Test func cloneDoesNotShareGradients() {
        let original = makeMLP(seed: 2)
        let copy = original.clone()
        let x = Variable(Tensor(ones: [3, 4]))
        copy(x).sum().backward()
        #expect(copy.parameters().allSatisfy { $0.grad != nil })
        #expect(original.parameters().allSatisfy { $0.grad == nil })
        copy.zeroGrad()
        #expect(copy.parameters().allSatisfy { $0.grad == nil })
    }

    @Test func stateDictRoundTrip() throws {
        let source = makeMLP(seed: 3), target = makeMLP(seed: 4)
        #expect(bits(source) != bits(target))
        let state = source.stateDict()
        #expect(state.map(\.name) == source.namedParameters().map(\.name))
        try target.loadStateDict(Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.value) }))
        #expect(bits(target) == bits(source))
        let x = Tensor(shape: [5, 4], generating: { Float($0) / 10 - 1 })
        #expect(target.predict(x) == source.predict(x))
        // The loaded values are copies: changing the source afterwards does not leak.
        source.linearLayers[0].weight.value = Tensor(zeros: [8, 4])
        #expect(target.linearLayers[0].weight.value != Tensor(zeros: [8, 4]))
        // Extra entries are ignored.
        var extended = Dictionary(uniqueKeysWithValues: target.stateDict().map { ($0.name, $0.value) })
        extended["unused"] = Tensor([1])
        try target.loadStateDict(extended)
        // copyState goes through the same path.
        let third = makeMLP(seed: 5)
        third.copyState(from: target)
        #expect(bits(third) == bits(target))
    }

    @Test func loadStateDictMissingName() {
        let model = makeMLP(seed: 6)
        let before = bits(model)
        var state = Dictionary(uniqueKeysWithValues: makeMLP(seed: 7).stateDict().map { ($0.name, $0.value) })
        state["layers.2.bias"] = nil
        #expect(throws: ModuleError.missingParameter("layers.2.bias")) { try model.loadStateDict(state) }
        // Validation happens before anything is written.
        #expect(bits(model) == before)
    }

    @Test func loadStateDictWrongShape() {
        let model = makeMLP(seed: 8)
        let before = bits(model)
        var state = Dictionary(uniqueKeysWithValues: makeMLP(seed: 9).stateDict().map { ($0.name, $0.value) })
        state["layers.0.weight"] = Tensor(zeros: [4, 8])
        #expect(throws: ModuleError.shapeMismatch("layers.0.weight", expected: [8, 4], found: [4, 8])) {
            try model.loadStateDict(state)
        }
        #expect(bits(model) == before)
        #expect(ModuleError.shapeMismatch("w", expected: [2], found: [3]).description.contains("w"))
        #expect(ModuleError.missingParameter("w").description == "missing parameter 'w'")
    }

    @Test func parameterFreezeAndMask() {
        let p = Parameter(Tensor([1, 2, 3]), role: .weight)
        #expect(!p.isFrozen && p.updateMask == nil)
        p.updateMask = Tensor([1, 0, 1])
        #expect(!p.isFrozen)
        p.freeze()
        #expect(p.isFrozen && p.updateMask == Tensor(zeros: [3]))
        p.unfreeze()
        #expect(!p.isFrozen && p.updateMask == nil)
        #expect(p.variable.requiresGrad && p.variable.isLeaf)
    }
}
