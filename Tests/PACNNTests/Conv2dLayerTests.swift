import PACEngine
import PACNN
import Testing

@Suite("Conv2d and pooling layers")
struct Conv2dLayerTests {
    @Test func parameterNamesShapesAndRoles() {
        var rng = RandomGenerator(seed: 1)
        let conv = Conv2d(inChannels: 3, outChannels: 16, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        #expect(conv.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(conv.weight.shape == [16, 3, 3, 3] && conv.bias!.shape == [16])
        #expect(conv.weight.role == .weight && conv.bias!.role == .bias)
        #expect(conv.inChannels == 3 && conv.outChannels == 16 && conv.kernelHeight == 3 && conv.kernelWidth == 3)
        #expect(conv.stride == 2 && conv.padding == 1)
        #expect(conv.parameterCount == 16 * 27 + 16)

        let noBias = Conv2d(inChannels: 16, outChannels: 32, kernelSize: 1, bias: false, rng: &rng)
        #expect(noBias.namedParameters().map(\.name) == ["weight"] && noBias.bias == nil)
        #expect(noBias.weight.shape == [32, 16, 1, 1] && noBias.stride == 1 && noBias.padding == 0)

        let network = Sequential([conv, ActivationLayer(.relu), MaxPool2d(kernelSize: 2), noBias, GlobalAvgPool()])
        #expect(network.namedParameters().map(\.name) == ["0.weight", "0.bias", "3.weight"])
    }

    @Test func initializationIsUniformWithinTheFanInBound() {
        var rng = RandomGenerator(seed: 2)
        let conv = Conv2d(inChannels: 8, outChannels: 64, kernelSize: 3, rng: &rng)
        let bound = 1 / Float(8 * 9).squareRoot()
        let w = conv.weight.value, b = conv.bias!.value
        #expect(w.max() <= bound && w.min() >= -bound)
        #expect(b.max() <= bound && b.min() >= -bound)
        // The whole range is used (not a narrower distribution) ...
        #expect(w.max() > 0.99 * bound && w.min() < -0.99 * bound)
        #expect(b.max() > 0.8 * bound && b.min() < -0.8 * bound)
        // ... and the bias bound is fan-in's, not fan-out's (64 * 9).
        #expect(b.scalars.contains { abs($0) > 1 / Float(64 * 9).squareRoot() })
        // U(-b, b) has variance b^2 / 3.
        let values = w.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(abs(mean) < 0.05 * Double(bound))
        #expect(abs(variance / Double(bound * bound / 3) - 1) < 0.08)
    }

    @Test func drawsWeightThenBiasFromTheGenerator() {
        var a = RandomGenerator(seed: 3, stream: "init"), b = RandomGenerator(seed: 3, stream: "init")
        let conv = Conv2d(inChannels: 2, outChannels: 4, kernelSize: 3, rng: &a)
        let bound = 1 / Float(2 * 9).squareRoot()
        #expect(conv.weight.value == b.uniformTensor(shape: [4, 2, 3, 3], low: -bound, high: bound))
        #expect(conv.bias!.value == b.uniformTensor(shape: [4], low: -bound, high: bound))
        #expect(a.next() == b.next())
    }

    @Test func forwardIsTheConvolutionOp() {
        var rng = RandomGenerator(seed: 4)
        let conv = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        let x = rng.uniformTensor(shape: [2, 2, 7, 7], low: -1, high: 1)
        let expected = Variable.conv2d(Variable(x), weight: Variable(conv.weight.value), bias: Variable(conv.bias!.value),
                                       stride: 2, padding: 1).value
        #expect(conv.predict(x) == expected)
        #expect(expected.shape == [2, 3, 4, 4])
        // Explicit parameters.
        let fixed = Conv2d(weight: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]), bias: Tensor([0.5]))
        #expect(fixed.predict(Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init)))
            == Tensor(shape: [1, 1, 2, 2], scalars: [37.5, 47.5, 67.5, 77.5]))
    }

    @Test func parameterGradientsReachTheLayer() {
        var rng = RandomGenerator(seed: 5)
        let conv = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, rng: &rng)
        let x = rng.uniformTensor(shape: [2, 2, 4, 4], low: -1, high: 1)
        let loss = conv(Variable(x)).globalAveragePool().sum()
        loss.backward()
        #expect(conv.weight.grad?.shape == [3, 2, 3, 3] && conv.bias!.grad?.shape == [3])
        // d(sum of channel means)/d bias = N = 2 per channel.
        #expect(conv.bias!.grad!.scalars.allSatisfy { abs($0 - 2) < 1e-5 })
        // Finite differences of one weight entry through the layer object.
        let epsilon: Float = 1e-2
        func objective() -> Double { Double(GradientMode.withoutGradients { conv(Variable(x)).globalAveragePool().tanh().sum().value.scalar }) }
        conv.zeroGrad()
        conv(Variable(x)).globalAveragePool().tanh().sum().backward()
        for j in [0, 7, 17, 53] {
            let original = conv.weight.value.scalars[j]
            conv.weight.variable.value.scalars[j] = original + epsilon
            let plus = objective()
            conv.weight.variable.value.scalars[j] = original - epsilon
            let minus = objective()
            conv.weight.variable.value.scalars[j] = original
            let numeric = Float((plus - minus) / Double(2 * epsilon))
            #expect(abs(numeric - conv.weight.grad!.scalars[j]) <= 1e-3 + 1e-2 * abs(numeric))
        }
    }

    @Test func cloneIsDeep() {
        var rng = RandomGenerator(seed: 6)
        let conv = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        conv.weight.updateMask = Tensor(repeating: 1, shape: [3, 2, 3, 3])
        conv.bias!.freeze()
        let copy = conv.clone()
        #expect(copy !== conv && copy.weight !== conv.weight && copy.bias !== conv.bias)
        #expect(copy.weight.value == conv.weight.value && copy.bias!.value == conv.bias!.value)
        #expect(copy.stride == 2 && copy.padding == 1)
        #expect(copy.weight.updateMask == conv.weight.updateMask && copy.bias!.isFrozen)
        let x = rng.uniformTensor(shape: [1, 2, 5, 5], low: -1, high: 1)
        #expect(copy.predict(x) == conv.predict(x))

        // Changing the copy leaves the original alone.
        let original = conv.weight.value
        copy.weight.value = Tensor(zeros: [3, 2, 3, 3])
        copy.bias!.unfreeze()
        #expect(conv.weight.value == original && conv.bias!.isFrozen)
        #expect(copy.predict(x) != conv.predict(x))

        let noBias = Conv2d(inChannels: 1, outChannels: 1, kernelSize: 1, bias: false, rng: &rng).clone()
        #expect(noBias.bias == nil)
    }

    @Test func poolingLayers() {
        var rng = RandomGenerator(seed: 7)
        let x = rng.uniformTensor(shape: [2, 3, 6, 6], low: -1, high: 1)

        let maxPool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        #expect(maxPool.predict(x) == Variable(x).maxPool2d(kernel: 3, stride: 2, padding: 1).value)
        #expect(maxPool.predict(x).shape == [2, 3, 3, 3])
        #expect(MaxPool2d(kernelSize: 2).stride == 2)
        let maxCopy = maxPool.clone()
        #expect(maxCopy !== maxPool && maxCopy.kernelSize == 3 && maxCopy.stride == 2 && maxCopy.padding == 1)

        let avgPool = AvgPool2d(kernelSize: 2)
        #expect(avgPool.stride == 2 && avgPool.predict(x) == Variable(x).avgPool2d(kernel: 2).value)
        #expect(avgPool.predict(x).shape == [2, 3, 3, 3])
        let avgCopy = AvgPool2d(kernelSize: 3, stride: 1).clone()
        #expect(avgCopy.kernelSize == 3 && avgCopy.stride == 1)

        let global = GlobalAvgPool()
        #expect(global.predict(x).shape == [2, 3] && global.clone() !== global)

        for layer in [maxPool, avgPool, global] as [any Layer] {
            #expect(layer.namedParameters().isEmpty)
        }
    }
}
