import PACEngine
import PACNN
import Testing
@testable import PACNet

/// PAC-Net and the baselines on a multi-head ResNet: only the backbone is pruned, the target
/// head is new and fully trainable, the source head and the running statistics never change in
/// calibration, and the masked network with the source head reproduces the allocated network.
@Suite struct MultiHeadTransferTests {
    typealias Network = MultiHeadModel<ResNet>

    static func images(_ count: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed, stream: "fixture/images")
        return rng.uniformTensor(shape: [count, 3, 8, 8], low: -1, high: 1)
    }

    /// 0/1 targets that depend on the images (channel means above zero).
    static func labels(_ images: Tensor, outputs: Int, shift: Int) -> Tensor {
        Tensor(shape: [images.shape[0], outputs], generating: { i in
            let n = i / outputs, k = (i % outputs + shift) % 3
            var total: Float = 0
            for p in 0..<64 { total += images[n, k, p / 8, p % 8] }
            return total > Float(i % outputs) - 1 ? 1 : 0
        })
    }

    static func network(seed: UInt64 = 1) -> Network {
        var rng = RandomGenerator(seed: seed, stream: "fixture/init")
        return MultiHeadModel(backbone: ResNet(widths: [4, 8], rng: &rng), headOutputs: [3, 2], rng: &rng)
    }

    static let schedule = TrainingSchedule(epochs: 3, batchSize: 8, learningRate: 1e-2)

    /// A trained source network, pruned and allocated, with its source data and a target set.
    static func allocated() throws -> (source: Network, allocated: PACNetModel<Network>, sourceData: Dataset, target: Dataset) {
        let source = network()
        let x = images(48, seed: 2)
        let sourceData = Dataset(inputs: x, targets: labels(x, outputs: 3, shift: 0))
        var rng = RandomGenerator(seed: 3)
        try schedule.train(source, on: sourceData, loss: .bce, rng: &rng)
        let pacnet = try PACNetModel.pruned(source, with: MagnitudePruning(ratio: 0.6))
            .allocated(on: sourceData, loss: .bce, schedule: schedule, rng: &rng)
        let t = images(24, seed: 4)
        return (source, pacnet, sourceData, Dataset(inputs: t, targets: labels(t, outputs: 2, shift: 1)))
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    func setup(_ source: Network, _ allocated: PACNetModel<Network>) -> TransferSetup<Network> {
        TransferSetup(source: source, allocated: allocated, makeFresh: { rng in Self.network(seed: rng.next()) },
                      loss: .bce, schedule: Self.schedule, lambda: 0.01)
    }

    @Test func pruningCoversTheBackboneWeightsOnly() throws {
        let (_, allocated, _, _) = try Self.allocated()
        let names = allocated.masks.masks.map(\.name)
        #expect(!names.isEmpty)
        #expect(names.allSatisfy { $0.hasPrefix("backbone.") && $0.hasSuffix(".weight") })
        // Every convolution kernel is covered; no normalization parameter and no head is.
        let kernels = allocated.network.namedParameters().filter { $0.parameter.role == .weight && $0.name.hasPrefix("backbone.") }
        #expect(Set(names) == Set(kernels.map(\.name)))
        #expect(abs(Double(allocated.masks.prunedCount) / Double(allocated.masks.totalCount) - 0.6) < 0.01)
    }

    @Test func calibrationKeepsTheSourceModelExactAndTrainsTheNewHead() throws {
        let (source, allocated, sourceData, target) = try Self.allocated()
        let allocatedState = allocated.network.stateDict().map { Self.bits($0.value) }
        let before = allocated.network.predict(sourceData.inputs, head: TaskSide.source.head)
        var rng = RandomGenerator(seed: 5)
        let result = try TransferMethod.pacnet.run(setup(source, allocated), target: target, rng: &rng)
        let calibrated = result.targetModel, sourceModel = result.sourceModel!

        // The masked network with the source head is the allocated source model, to the bit.
        #expect(sourceModel.activeHead == TaskSide.source.head && calibrated.activeHead == TaskSide.target.head)
        #expect(Self.bits(sourceModel.predict(sourceData.inputs)) == Self.bits(before))
        #expect(allocated.network.stateDict().map { Self.bits($0.value) } == allocatedState)

        // Entry by entry: buffers, normalization parameters, biases, the source head and kept
        // backbone entries are unchanged; the target head changed; pruned entries moved.
        let old = Dictionary(uniqueKeysWithValues: allocated.network.stateDict().map { ($0.name, $0.value) })
        var changedPruned = 0
        for (name, value) in calibrated.stateDict() {
            let was = old[name]!
            if name.hasPrefix("heads.1.") {
                #expect(value != was, "\(name) should train")
            } else if let mask = allocated.masks[name] {
                for i in 0..<value.count {
                    let v = value.withUnsafePointer { $0[i] }, w = was.withUnsafePointer { $0[i] }
                    let m = mask.withUnsafePointer { $0[i] }
                    if m == 1 { #expect(v.bitPattern == w.bitPattern, "\(name)[\(i)] kept entry moved") } else if v != w { changedPruned += 1 }
                }
            } else {
                #expect(Self.bits(value) == Self.bits(was), "\(name) should be frozen")
            }
        }
        #expect(changedPruned > 0)
        #expect(calibrated.parameters().allSatisfy { $0.updateMask == nil })
        #expect(calibrated.modules(ofType: BatchNorm2d.self).allSatisfy { !$0.freezesStatistics })
    }

    @Test func fineTuningBaselinesTrainThroughTheTargetHead() throws {
        let (source, allocated, _, target) = try Self.allocated()
        for method in [TransferMethod.finetune, .l2sp, .delta, .bss, .freeze, .scratch] {
            var rng = RandomGenerator(seed: 6)
            let result = try method.run(setup(source, allocated), target: target, rng: &rng)
            let model = result.targetModel
            #expect(model.activeHead == TaskSide.target.head, "\(method)")
            // The source head never takes part in target training.
            if method != .scratch {
                #expect(Self.bits(model.heads[0].weight.value) == Self.bits(source.heads[0].weight.value), "\(method)")
                #expect(result.sourceModel?.activeHead == TaskSide.source.head, "\(method)")
            }
            #expect(model.heads[1].weight.value != source.heads[1].weight.value, "\(method)")
        }
    }

    @Test func freezeTrainsOnlyTheTargetHeadAndKeepsStatistics() throws {
        let (source, allocated, _, target) = try Self.allocated()
        var rng = RandomGenerator(seed: 7)
        let model = try TransferMethod.freeze.run(setup(source, allocated), target: target, rng: &rng).targetModel
        let old = Dictionary(uniqueKeysWithValues: source.stateDict().map { ($0.name, $0.value) })
        for (name, value) in model.stateDict() {
            #expect((Self.bits(value) == Self.bits(old[name]!)) == !name.hasPrefix("heads.1."), "\(name)")
        }
    }
}
