import PACEngine
import PACNN
import Testing

/// A module with its own parameter, its own buffer and a child, to pin PyTorch's state order.
private final class Mixed: Module {
    let scale = Parameter(Tensor([2]), role: .normalization)
    let count = Buffer(Tensor([7, 8]))
    let child = BatchNorm2d(channels: 1)
    var ownParameters: [(name: String, parameter: Parameter)] { [("scale", scale)] }
    var ownBuffers: [(name: String, buffer: Buffer)] { [("count", count)] }
    var children: [(name: String, module: any Module)] { [("child", child)] }
}

@Suite("Buffers in the module tree: state dictionaries, predict and training modes")
struct ModuleBufferTests {
    private func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }
    private func bufferBits(_ m: some Module) -> [[UInt32]] { m.namedBuffers().map { bits($0.buffer.value) } }
    private func stateBits(_ m: some Module) -> [[UInt32]] { m.stateDict().map { bits($0.value) } }

    private func batch(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed, stream: "buffer-batch")
        return rng.normalTensor(shape: shape, mean: 0.5, standardDeviation: 2)
    }

    /// Conv2d(2 -> 3, bias) + BatchNorm2d(3).
    private func convBN(seed: UInt64) -> Sequential {
        var rng = RandomGenerator(seed: seed, stream: "init")
        return Sequential([Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, rng: &rng), BatchNorm2d(channels: 3)])
    }

    private func dictionary(_ m: some Module) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: m.stateDict().map { ($0.name, $0.value) })
    }

    @Test("stateDict lists own parameters, own buffers, then children, as PyTorch")
    func stateDictOrder() {
        let model = convBN(seed: 1)
        #expect(model.stateDict().map(\.name) == [
            "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        ])
        #expect(model.stateDict()[6].value.shape == [])
        #expect(Mixed().stateDict().map(\.name) == [
            "scale", "count", "child.weight", "child.bias", "child.running_mean", "child.running_var", "child.num_batches_tracked",
        ])
        #expect(Mixed().namedBuffers().map(\.name) == ["count", "child.running_mean", "child.running_var", "child.num_batches_tracked"])
        // Buffers are not parameters.
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
        #expect(model.parameterCount == 3 * 2 * 9 + 3 + 6)
        // Modules without buffers: the state dictionary is exactly the parameters.
        var rng = RandomGenerator(seed: 2, stream: "init")
        let mlp = MLP(sizes: [3, 4, 1], activation: .relu, rng: &rng)
        #expect(mlp.stateDict().map(\.name) == mlp.namedParameters().map(\.name))
        #expect(mlp.namedBuffers().isEmpty)
    }

    @Test("loadStateDict restores parameters and running statistics")
    func loadRoundTrip() throws {
        let source = convBN(seed: 3), target = convBN(seed: 4)
        for step in 0..<3 { _ = source(Variable(batch([2, 2, 4, 4], seed: UInt64(step)))) }
        #expect(stateBits(source) != stateBits(target))
        try target.loadStateDict(dictionary(source))
        #expect(stateBits(target) == stateBits(source))
        #expect((target.layers[1] as! BatchNorm2d).numBatchesTracked.value.scalar == 3)
        let x = batch([2, 2, 4, 4], seed: 10)
        #expect(target.predict(x) == source.predict(x))
        // The loaded buffers are copies.
        (source.layers[1] as! BatchNorm2d).runningMean.value = Tensor(zeros: [3])
        #expect((target.layers[1] as! BatchNorm2d).runningMean.value != Tensor(zeros: [3]))

        // copyState copies the buffers too (not the mode).
        let third = convBN(seed: 5)
        third.setTraining(false)
        third.copyState(from: target)
        #expect(stateBits(third) == stateBits(target))
        #expect(!third.isTrainingAny)
    }

    @Test("loading validates buffers; only num_batches_tracked may be missing")
    func loadValidatesBuffers() throws {
        let model = convBN(seed: 6)
        _ = model(Variable(batch([2, 2, 3, 3], seed: 11)))
        let before = stateBits(model)
        let good = dictionary(convBN(seed: 7))

        var missing = good
        missing["1.running_var"] = nil
        #expect(throws: ModuleError.missingBuffer("1.running_var")) { try model.loadStateDict(missing) }
        var wrongShape = good
        wrongShape["1.running_mean"] = Tensor(zeros: [4])
        #expect(throws: ModuleError.shapeMismatch("1.running_mean", expected: [3], found: [4])) { try model.loadStateDict(wrongShape) }
        // Validation happens before anything is written.
        #expect(stateBits(model) == before)
        #expect(ModuleError.missingBuffer("b").description == "missing buffer 'b'")

        // A missing num_batches_tracked keeps its current value; everything else loads.
        var old = good
        old["1.num_batches_tracked"] = nil
        try model.loadStateDict(old)
        let bn = model.layers[1] as! BatchNorm2d
        #expect(bn.numBatchesTracked.value.scalar == 1)
        #expect(bn.runningMean.value == good["1.running_mean"]!)
        #expect(Buffer.mayBeMissing("num_batches_tracked") && Buffer.mayBeMissing("a.b.num_batches_tracked"))
        #expect(!Buffer.mayBeMissing("running_mean") && !Buffer.mayBeMissing("x_num_batches_tracked"))
    }

    @Test("predict runs in evaluation mode and restores each module's mode")
    func predictLeavesStatisticsAlone() {
        let model = convBN(seed: 8)
        let bn = model.layers[1] as! BatchNorm2d
        _ = model(Variable(batch([4, 2, 4, 4], seed: 12)))
        #expect(bn.isTraining)
        let before = bufferBits(model)
        let x = batch([5, 2, 4, 4], seed: 13)
        let y = model.predict(x)
        let batched = model.predict(x, batchSize: 2)
        #expect(bufferBits(model) == before)
        #expect(bn.isTraining)
        // Same as an explicit evaluation-mode forward pass.
        model.setTraining(false)
        let evaluated = GradientMode.withoutGradients { model(Variable(x)).value }
        #expect(y == evaluated)
        #expect(batched == evaluated)
        #expect(!bn.isTraining && bufferBits(model) == before)
    }

    @Test("Trainer.fit trains in training mode: running statistics move unless frozen")
    func trainerUpdatesStatistics() throws {
        var rng = RandomGenerator(seed: 9, stream: "init")
        let model = Sequential([
            Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, rng: &rng), BatchNorm2d(channels: 3),
            ActivationLayer(.relu), GlobalAvgPool(), Linear(inFeatures: 3, outFeatures: 1, rng: &rng),
        ])
        let bn = model.layers[1] as! BatchNorm2d
        let x = batch([8, 2, 4, 4], seed: 14), y = batch([8, 1], seed: 15)
        let trainer = Trainer(epochs: 1, batchSize: 4, loss: .mse)

        // fit switches a model left in evaluation mode to training mode, and leaves it there.
        model.setTraining(false)
        let initial = bufferBits(model)
        try trainer.fit(model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.01), inputs: x, targets: y, rng: &rng)
        #expect(bn.isTraining)
        #expect(bn.numBatchesTracked.value.scalar == 2)
        #expect(bits(bn.runningMean.value) != initial[0] && bits(bn.runningVar.value) != initial[1])

        // freezesStatistics is not touched by fit: the statistics stay bit-identical.
        bn.freezesStatistics = true
        let frozen = bufferBits(model)
        let weightBefore = bits(bn.weight.value)
        try trainer.fit(model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.01), inputs: x, targets: y, rng: &rng)
        #expect(bn.freezesStatistics && bn.isTraining)
        #expect(bufferBits(model) == frozen)
        #expect(bits(bn.weight.value) != weightBefore)
    }
}
