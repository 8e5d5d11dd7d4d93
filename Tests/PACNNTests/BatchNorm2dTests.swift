import PACEngine
import PACNN
import Testing

@Suite("BatchNorm2d layer, buffers and training mode")
struct BatchNorm2dTests {
    private func batch(_ shape: [Int], seed: UInt64, mean: Float = 0.5, std: Float = 2) -> Tensor {
        var rng = RandomGenerator(seed: seed, stream: "bn-batch")
        return rng.normalTensor(shape: shape, mean: mean, standardDeviation: std)
    }

    private func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// Per-channel mean and biased variance of an NCHW tensor, in Double.
    private func channelStatistics(_ x: Tensor) -> (mean: [Double], variance: [Double], count: Int) {
        let n = x.shape[0], c = x.shape[1], inner = x.shape[2] * x.shape[3]
        let s = x.scalars.map(Double.init)
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        for ch in 0..<c {
            let values = (0..<n).flatMap { b in (0..<inner).map { s[(b * c + ch) * inner + $0] } }
            mean[ch] = values.reduce(0, +) / Double(values.count)
            variance[ch] = values.map { ($0 - mean[ch]) * ($0 - mean[ch]) }.reduce(0, +) / Double(values.count)
        }
        return (mean, variance, n * inner)
    }

    private func expectClose(_ actual: Tensor, _ expected: [Double], tolerance: Double = 1e-6,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let worst = zip(actual.scalars, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(actual.count == expected.count && worst <= tolerance, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
    }

    @Test func parametersBuffersAndDefaults() {
        let bn = BatchNorm2d(channels: 3)
        #expect(bn.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(bn.namedBuffers().map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(bn.parameters().allSatisfy { $0.role == .normalization })
        #expect(bn.weight.value == Tensor(ones: [3]) && bn.bias.value == Tensor(zeros: [3]))
        #expect(bn.runningMean.value == Tensor(zeros: [3]) && bn.runningVar.value == Tensor(ones: [3]))
        #expect(bn.numBatchesTracked.value == Tensor(0))
        #expect(bn.isTraining && !bn.freezesStatistics && bn.momentum == 0.1 && bn.epsilon == 1e-5)
        #expect(bn.parameterCount == 6)
        let model = Sequential([Sequential([BatchNorm2d(channels: 2)]), ActivationLayer(.relu), BatchNorm2d(channels: 4)])
        #expect(model.namedParameters().map(\.name) == ["0.0.weight", "0.0.bias", "2.weight", "2.bias"])
        #expect(model.namedBuffers().map(\.name) == [
            "0.0.running_mean", "0.0.running_var", "0.0.num_batches_tracked",
            "2.running_mean", "2.running_var", "2.num_batches_tracked",
        ])
        #expect(model.buffer(named: "2.running_var")?.shape == [4])
    }

    @Test("running statistics follow PyTorch's update over 3 steps (unbiased variance)")
    func runningStatisticsUpdate() {
        let bn = BatchNorm2d(channels: 3, momentum: 0.1)
        bn.weight.value = Tensor([1.5, 0.5, -1])
        bn.bias.value = Tensor([0.2, -0.3, 1])
        var expectedMean = [0.0, 0, 0], expectedVar = [1.0, 1, 1]
        for step in 1...3 {
            let x = batch([4, 3, 3, 5], seed: UInt64(step), mean: Float(step), std: Float(step))
            let (mean, variance, m) = channelStatistics(x)
            let y = bn(Variable(x))
            for c in 0..<3 {
                expectedMean[c] = 0.9 * expectedMean[c] + 0.1 * mean[c]
                expectedVar[c] = 0.9 * expectedVar[c] + 0.1 * variance[c] * Double(m) / Double(m - 1)
            }
            expectClose(bn.runningMean.value, expectedMean)
            expectClose(bn.runningVar.value, expectedVar)
            #expect(bn.numBatchesTracked.value.scalar == Float(step))
            // Training mode normalizes with the batch's biased variance, not the running one.
            let scalars = x.scalars
            let inv = 1 / (variance[1] + 1e-5).squareRoot()
            let expected = (Double(scalars[15]) - mean[1]) * inv * 0.5 - 0.3  // element (0, 1, 0, 0)
            #expect(abs(Double(y.value.scalars[15]) - expected) < 1e-5)
        }
    }

    @Test("momentum nil keeps cumulative averages, as PyTorch's momentum=None")
    func cumulativeAverage() {
        let bn = BatchNorm2d(channels: 2, momentum: nil)
        var means: [[Double]] = [], variances: [[Double]] = []
        for step in 1...3 {
            let x = batch([2, 2, 4, 4], seed: UInt64(10 + step), mean: Float(step))
            let (mean, variance, m) = channelStatistics(x)
            means.append(mean)
            variances.append(variance.map { $0 * Double(m) / Double(m - 1) })
            _ = bn(Variable(x))
        }
        expectClose(bn.runningMean.value, (0..<2).map { c in means.map { $0[c] }.reduce(0, +) / 3 })
        // The first update averages with the initial 1 at weight 1 - 1/1 = 0.
        expectClose(bn.runningVar.value, (0..<2).map { c in variances.map { $0[c] }.reduce(0, +) / 3 })
    }

    @Test("evaluation mode normalizes with the running statistics and leaves every buffer unchanged")
    func evaluationMode() {
        let bn = BatchNorm2d(channels: 2)
        _ = bn(Variable(batch([3, 2, 4, 4], seed: 20)))
        bn.runningMean.value = Tensor([0.25, -1])
        bn.runningVar.value = Tensor([4, 0.5])
        bn.weight.value = Tensor([2, -1])
        bn.bias.value = Tensor([0.5, 0])
        let before = bn.namedBuffers().map { bits($0.buffer.value) }
        bn.setTraining(false)
        #expect(!bn.isTraining && !bn.usesBatchStatistics)
        let x = batch([3, 2, 4, 4], seed: 21)
        let xv = Variable(x, requiresGrad: true)
        let y = bn(xv)
        let scalars = x.scalars
        for (i, value) in y.value.scalars.enumerated() {
            let c = (i / 16) % 2
            let expected = (Double(scalars[i]) - [0.25, -1][c]) / ([4, 0.5][c] + 1e-5).squareRoot() * [2, -1][c] + [0.5, 0][c]
            #expect(abs(Double(value) - expected) < 1e-5)
        }
        y.sum().backward()
        #expect(bn.weight.grad != nil && bn.bias.grad!.scalars == [48, 48])
        // d y / d x = weight / sqrt(running_var + eps): no term through batch statistics.
        #expect(abs(xv.grad!.scalars[0] - 2 / (4 + 1e-5 as Float).squareRoot()) < 1e-6)
        _ = bn.predict(batch([3, 2, 4, 4], seed: 22))
        #expect(bn.namedBuffers().map { bits($0.buffer.value) } == before)
        #expect(bn.numBatchesTracked.value.scalar == 1)
    }

    @Test("freezesStatistics keeps the running statistics bit-identical while training")
    func frozenStatistics() throws {
        let bn = BatchNorm2d(channels: 3)
        for step in 0..<2 { _ = bn(Variable(batch([4, 3, 3, 3], seed: UInt64(30 + step)))) }
        bn.freezesStatistics = true
        #expect(bn.isTraining && !bn.usesBatchStatistics)
        let before = bn.namedBuffers().map { bits($0.buffer.value) }
        let optimizer = SGD(parameters: bn.parameters(), learningRate: 0.1)
        let probe = batch([2, 3, 3, 3], seed: 39)
        for step in 0..<4 {
            let x = batch([4, 3, 3, 3], seed: UInt64(40 + step), mean: 5, std: 3)
            optimizer.zeroGrad()
            (bn(Variable(x)) * Tensor(repeating: 0.5, shape: [1, 3, 1, 1])).sum().backward()
            optimizer.step()
            #expect(bn.namedBuffers().map { bits($0.buffer.value) } == before)
        }
        // The parameters did train, and the output equals evaluation mode's.
        #expect(bn.bias.value != Tensor(zeros: [3]))
        let frozenOutput = bn.predict(probe)
        bn.setTraining(false)
        #expect(bn.predict(probe) == frozenOutput)
        #expect(bn.namedBuffers().map { bits($0.buffer.value) } == before)
    }

    @Test("setTraining walks nested Sequentials; withTraining restores each module's mode")
    func trainingModeWalk() {
        let inner = BatchNorm2d(channels: 2), deepest = BatchNorm2d(channels: 2), outer = BatchNorm2d(channels: 2)
        let model = Sequential([outer, Sequential([ActivationLayer(.relu), inner, Sequential([deepest])])])
        let all = [outer, inner, deepest]
        #expect(model.modeDependentModules().count == 3)
        #expect(all.allSatisfy { $0.isTraining } && model.isTrainingAny)
        model.setTraining(false)
        #expect(all.allSatisfy { !$0.isTraining } && !model.isTrainingAny)
        model.setTraining(true)
        #expect(all.allSatisfy { $0.isTraining })
        inner.isTraining = false
        let seen = model.withTraining(false) { all.map(\.isTraining) }
        #expect(seen == [false, false, false])
        #expect(all.map(\.isTraining) == [true, false, true])
        // Evaluating inside withTraining(false) leaves the running statistics alone.
        let before = model.namedBuffers().map { bits($0.buffer.value) }
        _ = model.withTraining(false) { model.predict(batch([2, 2, 3, 3], seed: 50)) }
        #expect(model.namedBuffers().map { bits($0.buffer.value) } == before)
        // A module tree without mode-dependent modules is unaffected.
        ActivationLayer(.tanh).setTraining(false)
    }

    @Test("clone is deep and copies parameters, masks, buffers, momentum, epsilon and mode")
    func cloneIsDeep() {
        let original = BatchNorm2d(channels: 2, momentum: 0.3, epsilon: 1e-3)
        _ = original(Variable(batch([3, 2, 2, 2], seed: 60)))
        original.weight.value = Tensor([1.5, 0.7])
        original.bias.updateMask = Tensor([1, 0])
        original.isTraining = false
        original.freezesStatistics = true
        let paramBits = original.parameters().map { bits($0.value) }
        let bufferBits = original.namedBuffers().map { bits($0.buffer.value) }

        let copy = original.clone()
        #expect(copy.parameters().map { bits($0.value) } == paramBits)
        #expect(copy.namedBuffers().map { bits($0.buffer.value) } == bufferBits)
        #expect(copy.bias.updateMask == Tensor([1, 0]) && copy.weight.updateMask == nil)
        #expect(copy.momentum == 0.3 && copy.epsilon == 1e-3 && !copy.isTraining && copy.freezesStatistics)
        #expect(copy.weight !== original.weight && copy.runningMean !== original.runningMean)

        // Train the copy: its statistics and parameters move, the original's don't.
        copy.isTraining = true
        copy.freezesStatistics = false
        copy.runningVar.value.scalars[0] = 99
        copy.weight.variable.value.scalars[1] = -5
        _ = copy(Variable(batch([3, 2, 2, 2], seed: 61)))
        #expect(copy.numBatchesTracked.value.scalar == 2)
        #expect(original.parameters().map { bits($0.value) } == paramBits)
        #expect(original.namedBuffers().map { bits($0.buffer.value) } == bufferBits)
        #expect(!original.isTraining && original.freezesStatistics)

        // Cloning a Sequential clones its batch norms too.
        let model = Sequential([original])
        let modelCopy = model.clone()
        #expect(modelCopy.namedBuffers().map { bits($0.buffer.value) } == bufferBits)
        #expect(modelCopy.buffer(named: "0.running_mean") !== original.runningMean)
    }

    @Test("a training step reaches weight and bias through the batch statistics")
    func trainingGradients() {
        let bn = BatchNorm2d(channels: 2)
        let x = Variable(batch([3, 2, 3, 3], seed: 70), requiresGrad: true)
        let y = bn(x)
        (y * y).sum().backward()
        // sum(y^2) per channel = m * weight^2 * var / (var + eps): its gradient w.r.t. x is ~0
        // only because the statistics are differentiated.
        #expect(x.grad!.scalars.allSatisfy { abs($0) < 1e-3 })
        #expect(bn.weight.grad!.scalars.allSatisfy { abs($0 - 54) < 1e-2 })
        #expect(bn.bias.grad!.scalars.allSatisfy { abs($0) < 1e-3 })
    }
}
