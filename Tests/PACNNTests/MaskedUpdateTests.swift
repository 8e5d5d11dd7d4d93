import PACEngine
import PACNN
import Testing

/// Update masks: entries whose mask is 0 (and their optimizer state) must never change.
@Suite("Masked and frozen parameters")
struct MaskedUpdateTests {
    /// A masked parameter (about half its entries frozen), an unmasked one and a frozen one.
    private struct Fixture {
        let masked: Parameter, free: Parameter, frozen: Parameter
        let mask: Tensor
        var parameters: [Parameter] { [masked, free, frozen] }

        init(seed: UInt64) {
            var rng = RandomGenerator(seed: seed, stream: "mask-fixture")
            masked = Parameter(rng.uniformTensor(shape: [6, 5], low: -1, high: 1), role: .weight)
            free = Parameter(rng.uniformTensor(shape: [5], low: -1, high: 1), role: .bias)
            frozen = Parameter(rng.uniformTensor(shape: [3, 2], low: -1, high: 1), role: .weight)
            var m = Tensor(shape: [6, 5], generating: { _ in rng.uniform() < 0.5 ? 0 : 1 })
            m.scalars[0] = 0
            m.scalars[1] = 1
            mask = m
            masked.updateMask = m
            frozen.freeze()
        }

        /// Assigns random gradients with |g| in [0.1, 1) to every parameter, frozen ones included.
        func assignGradients(_ rng: inout RandomGenerator) {
            for p in parameters {
                p.variable.grad = Tensor(shape: p.shape, generating: { _ in
                    let magnitude = rng.uniform(0.1, 1)
                    return rng.uniform() < 0.5 ? -magnitude : magnitude
                })
            }
        }
    }

    private func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    private func checkValues(_ fixture: Fixture, initial: [Tensor], sourceLocation: SourceLocation = #_sourceLocation) {
        let maskedNow = fixture.masked.value, maskedBefore = initial[0]
        for i in 0..<maskedNow.count {
            if fixture.mask.scalars[i] == 0 {
                #expect(maskedNow.scalars[i].bitPattern == maskedBefore.scalars[i].bitPattern,
                        "masked entry \(i) changed", sourceLocation: sourceLocation)
            } else {
                #expect(maskedNow.scalars[i] != maskedBefore.scalars[i], "trainable entry \(i) did not change",
                        sourceLocation: sourceLocation)
            }
        }
        #expect(zip(fixture.free.value.scalars, initial[1].scalars).allSatisfy { $0 != $1 }, sourceLocation: sourceLocation)
        #expect(bits(fixture.frozen.value) == bits(initial[2]), "frozen parameter changed", sourceLocation: sourceLocation)
    }

    @Test func adamLeavesMaskedEntriesAndTheirMomentsUntouched() {
        let fixture = Fixture(seed: 1)
        #expect(fixture.mask.scalars.contains(0) && fixture.mask.scalars.contains(1))
        let initial = fixture.parameters.map(\.value)
        let adam = Adam(parameters: fixture.parameters, learningRate: 0.01, weightDecay: 0.1)
        var rng = RandomGenerator(seed: 2, stream: "grads")
        for _ in 0..<50 {
            fixture.assignGradients(&rng)
            adam.step()
        }
        checkValues(fixture, initial: initial)
        let m = adam.firstMoment(0)!, v = adam.secondMoment(0)!
        for i in 0..<m.count {
            if fixture.mask.scalars[i] == 0 {
                #expect(m[i].bitPattern == 0 && v[i].bitPattern == 0, "moments of masked entry \(i): \(m[i]), \(v[i])")
            } else {
                #expect(m[i] != 0 && v[i] > 0)
            }
        }
        #expect(adam.firstMoment(1)!.allSatisfy { $0 != 0 })
        // The frozen parameter is skipped entirely: no state is ever created for it.
        #expect(adam.firstMoment(2) == nil && adam.secondMoment(2) == nil)
    }

    @Test(arguments: [false, true])
    func sgdMomentumLeavesMaskedEntriesAndBuffersUntouched(nesterov: Bool) {
        let fixture = Fixture(seed: 3)
        let initial = fixture.parameters.map(\.value)
        let sgd = SGD(parameters: fixture.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 0.05, nesterov: nesterov)
        var rng = RandomGenerator(seed: 4, stream: "grads")
        for _ in 0..<50 {
            fixture.assignGradients(&rng)
            sgd.step()
        }
        checkValues(fixture, initial: initial)
        let buffer = sgd.momentumBuffer(0)!
        for i in 0..<buffer.count where fixture.mask.scalars[i] == 0 {
            #expect(buffer[i].bitPattern == 0, "momentum of masked entry \(i): \(buffer[i])")
        }
        #expect(sgd.momentumBuffer(2) == nil)
    }

    @Test func plainSGDRespectsMask() {
        let fixture = Fixture(seed: 5)
        let initial = fixture.parameters.map(\.value)
        let sgd = SGD(parameters: fixture.parameters, learningRate: 0.01, weightDecay: 0.5)
        var rng = RandomGenerator(seed: 6, stream: "grads")
        for _ in 0..<50 {
            fixture.assignGradients(&rng)
            sgd.step()
        }
        checkValues(fixture, initial: initial)
    }

    @Test func maskedTrainingThroughTheTrainer() throws {
        // Hold half the first layer's weights (e.g. pruned ones at zero) fixed while training.
        var rng = RandomGenerator(seed: 7, stream: "init")
        let model = MLP(sizes: [2, 8, 1], activation: .tanh, rng: &rng)
        let weight = model.linearLayers[0].weight
        let mask = Tensor(shape: weight.shape, generating: { Float($0 % 2) })
        weight.value = weight.value * mask  // pruned entries are zero
        weight.updateMask = mask
        model.linearLayers[1].bias!.freeze()
        let before = weight.value, frozenBias = model.linearLayers[1].bias!.value
        let x = rng.uniformTensor(shape: [32, 2], low: -1, high: 1)
        let y = Tensor(shape: [32, 1], generating: { x.scalars[2 * $0] - 0.5 * x.scalars[2 * $0 + 1] })
        let trainer = Trainer(epochs: 5, batchSize: 8, loss: .mse)
        try trainer.fit(model, optimizer: Adam(parameters: model.parameters(), learningRate: 0.01),
                        inputs: x, targets: y, rng: &rng)
        for i in 0..<mask.count {
            if mask.scalars[i] == 0 {
                #expect(weight.value.scalars[i].bitPattern == before.scalars[i].bitPattern)
            } else {
                #expect(weight.value.scalars[i] != before.scalars[i])
            }
        }
        #expect(bits(model.linearLayers[1].bias!.value) == bits(frozenBias))
    }

    @Test func unfreezingResumesUpdates() {
        let p = Parameter(Tensor([1, 2]), role: .weight)
        let sgd = SGD(parameters: [p], learningRate: 0.5)
        p.freeze()
        p.variable.grad = Tensor([1, 1])
        sgd.step()
        #expect(p.value == Tensor([1, 2]))
        p.unfreeze()
        sgd.step()
        #expect(p.value == Tensor([0.5, 1.5]))
    }
}
