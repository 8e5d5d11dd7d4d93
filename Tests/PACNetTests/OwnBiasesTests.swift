import PACEngine
import PACNN
import Testing
@testable import PACNet

/// Calibration with `TargetFreedom.ownBiases`: the target trains its own biases, normalization
/// parameters and running statistics besides the pruned weights, and the source model, the
/// masked network with the source copies loaded back, stays the allocated one bit for bit.
@Suite struct OwnBiasesTests {
    @Test func anMLPsBiasesTrainForTheTargetWhileTheSourceModelStaysExact() throws {
        let (_, allocated, sourceData) = try Fixtures.allocated()
        let target = Fixtures.data(count: 40, seed: 5, shift: 0.5)
        var rng = RandomGenerator(seed: 6)
        let calibrated = try allocated.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: 0.01,
                                                  freedom: .ownBiases, rng: &rng)
        // Every bias has a source copy equal to the allocated value; the target's changed.
        let biases = allocated.network.namedParameters().filter { $0.parameter.role == .bias }
        #expect(calibrated.sourceCopies.values.map(\.name) == biases.map(\.name))
        for (name, parameter) in biases {
            #expect(Fixtures.bits(calibrated.sourceCopies[name]!) == Fixtures.bits(parameter.value))
            #expect(calibrated.network.parameter(named: name)!.value != parameter.value, "\(name) did not train")
        }
        // Kept weight entries are untouched.
        for (name, mask) in allocated.masks.masks {
            let before = allocated.network.parameter(named: name)!.value, after = calibrated.network.parameter(named: name)!.value
            for i in 0..<mask.count where mask.scalars[i] == 1 { #expect(before.scalars[i].bitPattern == after.scalars[i].bitPattern) }
        }
        // The source model is the allocated network's, in every bit of its state and its predictions.
        let source = calibrated.sourceModel()
        #expect(source.stateDict().map { Fixtures.bits($0.value) } == allocated.sourceModel().stateDict().map { Fixtures.bits($0.value) })
        #expect(Fixtures.bits(source.predict(sourceData.inputs)) == Fixtures.bits(allocated.network.predict(sourceData.inputs)))
        // The paper's calibration keeps no copies: its biases never change.
        var plainRNG = RandomGenerator(seed: 6)
        let plain = try allocated.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: 0.01, rng: &plainRNG)
        #expect(plain.sourceCopies.isEmpty)
        for (name, parameter) in biases { #expect(Fixtures.bits(plain.network.parameter(named: name)!.value) == Fixtures.bits(parameter.value)) }
    }

    @Test func aResNetGetsItsOwnNormalizationAndStatistics() throws {
        let (_, allocated, sourceData, target) = try MultiHeadTransferTests.allocated()
        var rng = RandomGenerator(seed: 11)
        let calibrated = try allocated.calibrated(on: target, loss: .bce, schedule: MultiHeadTransferTests.schedule, lambda: 0.01,
                                                  freedom: .ownBiases, rng: &rng)
        let copied = Set(calibrated.sourceCopies.values.map(\.name))
        // Every normalization parameter and running statistic of the backbone, and nothing of the heads.
        for (name, parameter) in allocated.network.namedParameters() where parameter.role != .weight {
            #expect(copied.contains(name) == name.hasPrefix("backbone."), "\(name)")
        }
        for (name, _) in allocated.network.namedBuffers() { #expect(copied.contains(name), "\(name)") }
        #expect(!copied.contains { $0.hasPrefix("heads.") })
        // The target's statistics moved with the target data; the source's copies did not.
        let mean = try #require(allocated.network.namedBuffers().first { $0.name.hasSuffix("running_mean") })
        #expect(calibrated.network.buffer(named: mean.name)!.value != mean.buffer.value)
        #expect(Fixtures.bits(calibrated.sourceCopies[mean.name]!) == Fixtures.bits(mean.buffer.value))
        // The source model (source head, source statistics) predicts exactly as the allocated one.
        let before = allocated.sourceModel().predict(sourceData.inputs)
        #expect(Fixtures.bits(calibrated.sourceModel().predict(sourceData.inputs)) == Fixtures.bits(before))
    }

    @Test func aSecondCalibrationKeepsTheOriginalSourceCopies() throws {
        let (_, allocated, sourceData) = try Fixtures.allocated()
        let target = Fixtures.data(count: 40, seed: 5, shift: 0.5)
        var rng = RandomGenerator(seed: 6)
        let once = try allocated.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: 0.01, freedom: .ownBiases, rng: &rng)
        let twice = try once.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: 0.01, freedom: .ownBiases, rng: &rng)
        #expect(Fixtures.bits(twice.sourceModel().predict(sourceData.inputs)) == Fixtures.bits(allocated.network.predict(sourceData.inputs)))
    }

    @Test func pacnetBiasIsANamedMethodWithPACNetsSettings() throws {
        let method = Method.pacnetBias(ratio: .auto, lambda: .fixed(0.01))
        #expect(method.name == .pacnetBias && method.name.rawValue == "pacnet-bias")
        #expect(method.freedom == .ownBiases && Method.pacnet(ratio: .auto, lambda: .auto).freedom == .prunedWeights)
        #expect(method.isAuto && method.ratio == .auto && method.lambda == .fixed(0.01))
        #expect(Method(.pacnetBias, ratio: .fixed(0.5), lambda: .fixed(0)) == .pacnetBias(ratio: .fixed(0.5), lambda: .fixed(0)))
        #expect(Method.pacnet(ratio: .auto, lambda: .auto, freedom: .ownBiases) == .pacnetBias(ratio: .auto, lambda: .auto))
        #expect(TransferMethod.pacnetBias.usesRatio && TransferMethod.pacnetBias.usesLambda)
        #expect(method.candidates(ratios: [0.5, 0.9], lambdas: [1]).count == 2)
    }
}
