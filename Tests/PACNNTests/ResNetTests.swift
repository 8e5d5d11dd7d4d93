import PACEngine
import PACNN
import PACTestSupport
import Testing

@Suite("ResNet: basic blocks, backbone and multi-head model")
struct ResNetTests {
    private func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }
    private func stateBits(_ m: some Module) -> [[UInt32]] { m.stateDict().map { bits($0.value) } }
    private func bufferBits(_ m: some Module) -> [[UInt32]] { m.namedBuffers().map { bits($0.buffer.value) } }

    private func images(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed, stream: "images")
        return rng.uniformTensor(shape: shape, low: -1, high: 1)
    }

    /// A small two-head model: widths [4, 8], 3 input channels, heads of 3 and 2 outputs.
    private func smallModel(seed: UInt64, blocks: Int = 1) -> MultiHeadModel<ResNet> {
        var rng = RandomGenerator(seed: seed, stream: "init")
        let backbone = ResNet(blocksPerStage: blocks, widths: [4, 8], rng: &rng)
        return MultiHeadModel(backbone: backbone, headOutputs: [3, 2], rng: &rng)
    }

    @Test("ResNet-8 output shapes for 32x32 inputs", arguments: [1, 2])
    func outputShapes(blocks: Int) {
        var rng = RandomGenerator(seed: 1, stream: "init")
        let backbone = ResNet(blocksPerStage: blocks, rng: &rng)
        #expect(backbone.featureCount == 64 && backbone.blocks.count == 3 * blocks)
        #expect(backbone.blockCounts == [blocks, blocks, blocks] && backbone.stemKind == .cifar && backbone.widths == [16, 32, 64] && backbone.inChannels == 3)
        let model = MultiHeadModel(backbone: backbone, headOutputs: [8, 8], rng: &rng)
        let x = images([2, 3, 32, 32], seed: 2)
        #expect(backbone.predict(x).shape == [2, 64])
        let y0 = model.predict(x), y1 = model.predict(x, head: 1)
        #expect(y0.shape == [2, 8] && y1.shape == [2, 8] && y0 != y1)
        #expect(model.activeHead == 0)
        let training = model(Variable(x), head: 1)
        #expect(training.shape == [2, 8])
        // Blocks: stage strides 1, 2, 2 on the first block; later blocks keep the shape.
        #expect(backbone.blocks.map(\.stride) == (0..<3).flatMap { stage in (0..<blocks).map { stage > 0 && $0 == 0 ? 2 : 1 } })
        #expect(backbone.blocks.map { $0.shortcut != nil } == backbone.blocks.map { $0.stride != 1 || $0.inChannels != $0.outChannels })
    }

    @Test("torchvision's ResNet-18/34 layouts: ImageNet stem, 64x64 inputs to 512 features", arguments: ResNet.Torchvision.allCases)
    func torchvisionLayouts(layout: ResNet.Torchvision) {
        var rng = RandomGenerator(seed: 4, stream: "init")
        let backbone = ResNet(layout, rng: &rng)
        #expect(backbone.stemKind == .imagenet && backbone.blockCounts == layout.blocks && backbone.featureCount == 512)
        #expect(backbone.blocks.count == (layout == .resnet18 ? 8 : 16))
        let conv = backbone.stem.layers[0] as! Conv2d
        #expect(conv.weight.shape == [64, 3, 7, 7] && conv.stride == 2 && conv.padding == 3)
        let pool = backbone.stem.layers[3] as! MaxPool2d
        #expect(pool.kernelSize == 3 && pool.stride == 2 && pool.padding == 1)
        // Stage strides: 1 on the first stage, 2 on the first block of the others.
        #expect(backbone.blocks.filter { $0.stride == 2 }.count == 3 && backbone.blocks.filter { $0.shortcut != nil }.count == 3)
        #expect(backbone.predict(images([2, 3, 64, 64], seed: 5)).shape == [2, 512])
        // Inputs down to one pixel still give features (every stride rounds up to one position).
        #expect(backbone.predict(images([1, 3, 1, 1], seed: 6)).shape == [1, 512])
    }

    @Test func parameterAndBufferNames() {
        var rng = RandomGenerator(seed: 3, stream: "init")
        let model = MultiHeadModel(backbone: ResNet(rng: &rng), headOutputs: [8, 8], rng: &rng)
        let names = model.namedParameters().map(\.name)
        func bn(_ prefix: String) -> [String] { ["\(prefix).weight", "\(prefix).bias"] }
        func block(_ prefix: String, projection: Bool) -> [String] {
            ["\(prefix).conv1.weight"] + bn("\(prefix).bn1") + ["\(prefix).conv2.weight"] + bn("\(prefix).bn2")
                + (projection ? ["\(prefix).shortcut.0.weight"] + bn("\(prefix).shortcut.1") : [])
        }
        let expected = ["backbone.stem.0.weight"] + bn("backbone.stem.1")
            + block("backbone.stages.0.0", projection: false)
            + block("backbone.stages.1.0", projection: true)
            + block("backbone.stages.2.0", projection: true)
            + ["heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"]
        #expect(names == expected)
        // No convolution has a bias; every convolution and head weight is prunable (.weight).
        #expect(model.namedParameters().filter { $0.parameter.role == .weight }.map(\.name)
                == names.filter { $0.hasSuffix("weight") && !$0.contains(".bn") && !$0.contains("stem.1") && !$0.contains("shortcut.1") })
        let convolutions = 16 * 3 * 9 + 2 * 16 * 16 * 9 + (32 * 16 * 9 + 32 * 32 * 9 + 32 * 16) + (64 * 32 * 9 + 64 * 64 * 9 + 64 * 32)
        let norms = 2 * (16 + 2 * 16 + 3 * 32 + 3 * 64)
        #expect(model.parameterCount == convolutions + norms + 2 * (64 * 8 + 8))

        let bufferNames = model.namedBuffers().map(\.name)
        let normPrefixes = ["backbone.stem.1", "backbone.stages.0.0.bn1", "backbone.stages.0.0.bn2",
                            "backbone.stages.1.0.bn1", "backbone.stages.1.0.bn2", "backbone.stages.1.0.shortcut.1",
                            "backbone.stages.2.0.bn1", "backbone.stages.2.0.bn2", "backbone.stages.2.0.shortcut.1"]
        #expect(bufferNames == normPrefixes.flatMap { ["\($0).running_mean", "\($0).running_var", "\($0).num_batches_tracked"] })
        // The state dictionary interleaves them per module, as PyTorch's.
        let state = model.stateDict().map(\.name)
        #expect(state.count == names.count + bufferNames.count)
        #expect(Array(state.prefix(7)) == ["backbone.stem.0.weight", "backbone.stem.1.weight", "backbone.stem.1.bias",
                                           "backbone.stem.1.running_mean", "backbone.stem.1.running_var",
                                           "backbone.stem.1.num_batches_tracked", "backbone.stages.0.0.conv1.weight"])
        #expect(Array(state.suffix(4)) == ["heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"])
    }

    @Test("the shortcut is a projection exactly when channels or stride change")
    func shortcutProjection() {
        var rng = RandomGenerator(seed: 4, stream: "init")
        for (inChannels, outChannels, stride) in [(4, 4, 1), (4, 4, 2), (4, 8, 1), (4, 8, 2), (8, 4, 1)] {
            let block = BasicBlock(inChannels: inChannels, outChannels: outChannels, stride: stride, rng: &rng)
            let projects = inChannels != outChannels || stride != 1
            #expect((block.shortcut != nil) == projects)
            #expect(block.children.map(\.name) == ["conv1", "bn1", "conv2", "bn2"] + (projects ? ["shortcut"] : []))
            if let shortcut = block.shortcut {
                let conv = shortcut.layers[0] as! Conv2d
                #expect(conv.kernelHeight == 1 && conv.stride == stride && conv.bias == nil && conv.padding == 0)
                #expect(conv.inChannels == inChannels && conv.outChannels == outChannels)
                #expect((shortcut.layers[1] as! BatchNorm2d).channels == outChannels)
            }
            #expect(block.conv1.stride == stride && block.conv2.stride == 1 && block.conv1.bias == nil && block.conv2.bias == nil)
            let y = block.predict(images([2, inChannels, 6, 6], seed: 5))
            #expect(y.shape == [2, outChannels, 6 / stride, 6 / stride])
            #expect(y.scalars.allSatisfy { $0 >= 0 })
        }
        // The identity block adds its input: with conv2's weights zeroed (and bn2's bias 0), the
        // block is relu(x) in evaluation mode.
        let identity = BasicBlock(inChannels: 3, outChannels: 3, stride: 1, rng: &rng)
        identity.conv2.weight.value = Tensor(zeros: identity.conv2.weight.shape)
        let x = images([2, 3, 4, 4], seed: 6)
        #expect(identity.predict(x) == x.relu())
    }

    /// A block with non-trivial batch-norm parameters and running statistics.
    private func tinyBlock(inChannels: Int, outChannels: Int, stride: Int) -> BasicBlock {
        var rng = RandomGenerator(seed: 7, stream: "init")
        let block = BasicBlock(inChannels: inChannels, outChannels: outChannels, stride: stride, rng: &rng)
        let norms = block.modeDependentModules().map { $0 as! BatchNorm2d }
        for bn in norms {
            let c = bn.channels
            bn.weight.value = rng.uniformTensor(shape: [c], low: 0.5, high: 1.5)
            bn.bias.value = rng.uniformTensor(shape: [c], low: -0.2, high: 0.3)
            bn.runningMean.value = rng.uniformTensor(shape: [c], low: -0.3, high: 0.3)
            bn.runningVar.value = rng.uniformTensor(shape: [c], low: 0.5, high: 2)
        }
        return block
    }

    /// The smallest |value| entering either ReLU of `block` for `input`: central differences
    /// with step h are only valid when no pre-activation is within about h * slope of zero
    /// (in training mode the batch statistics couple all entries, so one kink spoils every entry).
    private func reluMargin(_ block: BasicBlock, input: Tensor) -> Float {
        GradientMode.withoutGradients {
            let x = Variable(input)
            let inner = block.bn1(block.conv1(x))
            let sum = block.bn2(block.conv2(inner.relu())) + (block.shortcut?(x) ?? x)
            return (inner.value.scalars + sum.value.scalars).map { abs($0) }.min()!
        }
    }

    /// The first of some seeded inputs whose pre-activations all keep `margin` from the ReLU kinks.
    private func inputAwayFromKinks(_ block: BasicBlock, shape: [Int], margin: Float = 0.05) -> Tensor {
        let x = (100..<200).lazy.map { images(shape, seed: $0) }.first { reluMargin(block, input: $0) > margin }
        #expect(x != nil, "no input keeps a margin of \(margin) from the ReLU kinks")
        return x ?? images(shape, seed: 100)
    }

    /// Central differences of `sum(block(x) * w)` with respect to some parameter entries.
    private func checkParameterGradients(_ block: BasicBlock, input: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        var rng = RandomGenerator(seed: 8, stream: "weights")
        let w = rng.uniformTensor(shape: GradientMode.withoutGradients { block(Variable(input)).shape }, low: -1, high: 1)
        block.zeroGrad()
        (block(Variable(input)) * Variable(w)).sum().backward()
        func objective() -> Double {
            let y = GradientMode.withoutGradients { block(Variable(input)).value }
            return zip(y.scalars, w.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        for (name, parameter) in block.namedParameters() {
            let grad = parameter.grad!
            for j in Set([0, parameter.value.count / 2, parameter.value.count - 1]) {
                let original = parameter.value
                let h: Float = 1e-2
                parameter.variable.value.scalars[j] = original.scalars[j] + h
                let plus = objective()
                parameter.variable.value.scalars[j] = original.scalars[j] - h
                let minus = objective()
                parameter.value = original
                let numeric = Float((plus - minus) / Double(2 * h))
                let analytic = grad.scalars[j]
                #expect(abs(numeric - analytic) <= 2e-3 + 2e-2 * max(abs(numeric), abs(analytic)),
                        "\(name)[\(j)]: analytic \(analytic), numeric \(numeric)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("finite-difference gradients through a tiny BasicBlock in evaluation mode",
          arguments: [(2, 2, 1), (2, 3, 2)])
    func gradientCheck(inChannels: Int, outChannels: Int, stride: Int) {
        let block = tinyBlock(inChannels: inChannels, outChannels: outChannels, stride: stride)
        block.setTraining(false)
        let before = bufferBits(block)
        // Without batch statistics a step moves only nearby pre-activations, and by less.
        let x = inputAwayFromKinks(block, shape: [2, inChannels, 4, 4], margin: 0.02)
        GradientCheck.expectMatch([x], "input gradient") { block($0[0]) }
        checkParameterGradients(block, input: x)
        #expect(bufferBits(block) == before)
    }

    @Test("finite-difference gradients through a tiny BasicBlock in training mode (batch statistics)")
    func gradientCheckTraining() {
        let block = tinyBlock(inChannels: 2, outChannels: 3, stride: 2)
        let x = inputAwayFromKinks(block, shape: [3, 2, 4, 4])
        GradientCheck.expectMatch([x], "input gradient") { block($0[0]) }
        checkParameterGradients(block, input: x)
    }

    @Test("clone is deep: parameters, masks, buffers, modes and the active head")
    func cloneIsDeep() throws {
        let original = smallModel(seed: 11, blocks: 2)
        _ = original(Variable(images([2, 3, 8, 8], seed: 12)))
        original.activeHead = 1
        original.backbone.blocks[1].conv1.weight.updateMask = Tensor(shape: [4, 4, 3, 3], generating: { Float($0 % 2) })
        let bn = original.backbone.blocks[2].bn1
        bn.freezesStatistics = true
        original.backbone.blocks[0].bn2.isTraining = false

        let copy = original.clone()
        #expect(copy.stateDict().map(\.name) == original.stateDict().map(\.name))
        #expect(stateBits(copy) == stateBits(original))
        #expect(copy.activeHead == 1)
        #expect(copy.parameters().map(\.updateMask) == original.parameters().map(\.updateMask))
        #expect(copy.modeDependentModules().map(\.isTraining) == original.modeDependentModules().map(\.isTraining))
        #expect(copy.backbone.blocks[2].bn1.freezesStatistics && !copy.backbone.blocks[0].bn2.isTraining)
        for (a, b) in zip(copy.parameters(), original.parameters()) { #expect(a !== b) }
        for (a, b) in zip(copy.namedBuffers(), original.namedBuffers()) { #expect(a.buffer !== b.buffer) }

        // Training the copy changes nothing in the original.
        var rng = RandomGenerator(seed: 0, stream: "shuffle")
        let before = stateBits(original)
        copy.setTraining(true)
        copy.parameters().forEach { $0.unfreeze() }
        copy.activeHead = 0
        try Trainer(epochs: 1, batchSize: 4, loss: .bce).fit(
            copy, optimizer: Adam(parameters: copy.parameters(), learningRate: 0.01),
            inputs: images([4, 3, 8, 8], seed: 13), targets: Tensor(shape: [4, 3], generating: { Float($0 % 2) }),
            rng: &rng)
        #expect(stateBits(copy) != before)
        #expect(stateBits(original) == before)
        #expect(original.activeHead == 1 && !original.backbone.blocks[0].bn2.isTraining)
    }

    @Test("a training step moves the running statistics; evaluation-mode predict leaves them bit-identical")
    func trainingAndEvaluation() throws {
        let model = smallModel(seed: 14)
        var rng = RandomGenerator(seed: 15, stream: "shuffle")
        let x = images([4, 3, 8, 8], seed: 16)
        let initial = bufferBits(model)
        let headZero = [model.heads[0].weight.value, model.heads[0].bias!.value].map(bits)

        // Train the target head (1): one step of BCE with Adam.
        model.activeHead = 1
        try Trainer(epochs: 1, batchSize: 4, loss: .bce).fit(
            model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-3),
            inputs: x, targets: Tensor(shape: [4, 2], generating: { Float($0 % 2) }), rng: &rng)
        let trained = bufferBits(model)
        #expect(trained.count == initial.count)
        for (name, after, before) in zip3(model.namedBuffers().map(\.name), trained, initial) {
            #expect(after != before, "\(name) did not move")
        }
        // The inactive head received no gradient and did not move.
        #expect([model.heads[0].weight.value, model.heads[0].bias!.value].map(bits) == headZero)
        #expect(model.heads[0].weight.grad == nil)

        model.setTraining(false)
        let y = model.predict(x)
        _ = model.predict(x, head: 0, batchSize: 3)
        #expect(bufferBits(model) == trained)
        #expect(model.predict(x) == y)
        // Even in training mode, predict uses (and keeps) the running statistics.
        model.setTraining(true)
        #expect(model.predict(x) == y)
        #expect(bufferBits(model) == trained)
        // A training-mode forward pass does move them.
        _ = model(Variable(x))
        #expect(bufferBits(model) != trained)
    }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    zip(a, zip(b, c)).map { ($0, $1.0, $1.1) }
}
