import PACEngine
import PACNN
import Testing
@testable import PACNet

/// Several tasks on one network: after every later step each earlier task predicts bit for bit
/// as before, the masks are nested, and a two-task chain is PAC-Net's calibration.
@Suite struct TaskChainTests {
    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    /// Runs source -> t1 -> t2 -> t3 on `chain`, releasing half of each target's entries before
    /// the next, and checks after every step that every earlier task predicts as before.
    static func checkChain<Network: Layer>(_ start: TaskChain<Network>, targets: [Dataset], probe: Tensor, loss: Loss,
                                           schedule: TrainingSchedule, freedoms: [TargetFreedom]) throws -> TaskChain<Network> {
        var chain = start
        var rng = RandomGenerator(seed: 21)
        // The predictions each finished task must keep.
        var expected = [bits(chain.model(for: 0).predict(probe))]
        for (k, data) in targets.enumerated() {
            if k > 0 {
                chain = try chain.released(keeping: 0.5, on: targets[k - 1], loss: loss, schedule: schedule, lambda: 0.01, rng: &rng)
                // The released task changed once (pruned and re-allocated); it is final from here on.
                expected.append(bits(chain.model(for: k).predict(probe)))
            }
            chain = try chain.adding("t\(k + 1)", on: data, loss: loss, schedule: schedule, lambda: 0.01,
                                     freedom: freedoms[k], rng: &rng)
            for (task, before) in expected.enumerated() {
                #expect(bits(chain.model(for: task).predict(probe)) == before, "task \(task) changed when t\(k + 1) was added")
            }
            for task in 1..<chain.count {
                let reads = chain.ownership.reads(task, chain.reading), source = chain.ownership.reads(0, chain.reading)
                let previous = chain.ownership.reads(task - 1, chain.reading)
                for ((a, b), s) in zip(zip(previous.masks, reads.masks), source.masks) {
                    let (before, now, base) = (a.mask.scalars, b.mask.scalars, s.mask.scalars)
                    switch chain.reading {
                    case .earlierTasks:
                        // Nested masks: each task reads all its predecessors read.
                        #expect(zip(before, now).allSatisfy { $0 <= $1 })
                    case .sourceOnly:
                        // Each target reads the source's entries and its own, and shares only the source's with the one before.
                        #expect(zip(base, now).allSatisfy { $0 <= $1 })
                        #expect(zip(zip(before, now), base).allSatisfy { pair, s in pair.0 * pair.1 == s })
                    }
                }
            }
            #expect(chain.ownership.freeCount == 0, "the newest task owns every free entry")
            #expect(chain.ownership.lastOwner == k + 1)
        }
        // The last task's model differs from its predecessor's: it trained something.
        #expect(bits(chain.model(for: chain.count - 1).predict(probe)) != expected.last!)
        return chain
    }

    @Test(arguments: ChainReading.allCases)
    func anMLPChainNeverChangesAnEarlierTask(reading: ChainReading) throws {
        let (_, allocated, data) = try Fixtures.allocated()
        let targets = (0..<3).map { Fixtures.data(count: 40, seed: UInt64(5 + $0), shift: 0.3 * Float($0 + 1)) }
        for freedoms in [[TargetFreedom.prunedWeights, .prunedWeights, .prunedWeights], [.ownBiases, .prunedWeights, .ownBiases]] {
            let chain = try Self.checkChain(TaskChain(allocated: allocated, reading: reading), targets: targets, probe: data.inputs, loss: .mse,
                                            schedule: Fixtures.schedule, freedoms: freedoms)
            #expect(chain.names == ["source", "t1", "t2", "t3"])
            // Ownership: the source keeps what pruning kept; each released target half of its entries.
            #expect(chain.ownership.count(ownedBy: 0) == allocated.masks.keptCount)
            let t1 = chain.ownership.count(ownedBy: 1), t2 = chain.ownership.count(ownedBy: 2)
            #expect(t1 == Int((0.5 * Double(allocated.masks.prunedCount)).rounded()))
            #expect(t2 == Int((0.5 * Double(allocated.masks.prunedCount - t1)).rounded()))
            #expect(chain.ownership.count(ownedBy: 3) == allocated.masks.prunedCount - t1 - t2)
        }
    }

    @Test(arguments: ChainReading.allCases)
    func aResNetChainKeepsEveryHeadAndStatistic(reading: ChainReading) throws {
        typealias Network = MultiHeadModel<ResNet>
        var rng = RandomGenerator(seed: 1, stream: "fixture/init")
        let source = MultiHeadModel(backbone: ResNet(widths: [4, 8], rng: &rng), headOutputs: [3, 2, 2, 2], rng: &rng)
        let x = MultiHeadTransferTests.images(48, seed: 2)
        let sourceData = Dataset(inputs: x, targets: MultiHeadTransferTests.labels(x, outputs: 3, shift: 0))
        let schedule = MultiHeadTransferTests.schedule
        try schedule.train(source, on: sourceData, loss: .bce, rng: &rng)
        let allocated = try PACNetModel.pruned(source, with: MagnitudePruning(ratio: 0.6))
            .allocated(on: sourceData, loss: .bce, schedule: schedule, rng: &rng)
        let targets = (0..<3).map { k in
            let t = MultiHeadTransferTests.images(24, seed: UInt64(4 + k))
            return Dataset(inputs: t, targets: MultiHeadTransferTests.labels(t, outputs: 2, shift: k + 1))
        }
        for freedoms in [[TargetFreedom.prunedWeights, .prunedWeights, .prunedWeights], [.ownBiases, .ownBiases, .prunedWeights]] {
            let chain = try Self.checkChain(TaskChain(allocated: allocated, reading: reading), targets: targets, probe: sourceData.inputs, loss: .bce,
                                            schedule: schedule, freedoms: freedoms)
            // Every task answers through its own head.
            for task in 0..<chain.count { #expect(chain.model(for: task).activeHead == task) }
        }
    }

    @Test func aTwoTaskChainIsPACNetsCalibration() throws {
        let (_, allocated, data) = try Fixtures.allocated()
        let target = Fixtures.data(count: 40, seed: 5, shift: 0.5)
        for freedom in TargetFreedom.allCases {
            var rng = RandomGenerator(seed: 6)
            let pacnet = try allocated.calibrated(on: target, loss: .mse, schedule: Fixtures.schedule, lambda: 0.01, freedom: freedom, rng: &rng)
            let chain = TaskChain(calibrated: pacnet)
            #expect(chain.names == ["source", "target"] && chain.freedoms[1] == freedom)
            #expect(Self.bits(chain.model(for: 0).predict(data.inputs)) == Self.bits(pacnet.sourceModel().predict(data.inputs)))
            #expect(Self.bits(chain.model(for: 1).predict(target.inputs)) == Self.bits(pacnet.targetModel.predict(target.inputs)))
            #expect(chain.ownership.count(ownedBy: 1) == allocated.masks.prunedCount && chain.ownership.freeCount == 0)
        }
    }

    @Test func releasingRanksByMagnitudeAndFreesTheRest() {
        var rng = RandomGenerator(seed: 0)
        let layer = Linear(inFeatures: 3, outFeatures: 2, rng: &rng)
        layer.weight.value = Tensor(shape: [2, 3], scalars: [5, -0.1, 3, 0.2, -4, 0.2])
        // The source owns entries 0 and 4; the target the other four.
        let ownership = TaskOwnership([("weight", Tensor(shape: [2, 3], scalars: [0, 1, 1, 1, 0, 1]))])
        let released = ownership.releasing(1, keeping: 0.5, of: layer)
        // Of the target's |w| = 0.1, 3, 0.2, 0.2, keep the 2 largest: 3 and the earlier 0.2.
        #expect(released.owners[0].owner.scalars == [0, -1, 1, 1, 0, -1])
        #expect(released.freeCount == 2 && released.reads(1).keptCount == 4 && released.reads(0).keptCount == 2)
        #expect(released.assigningFree(to: 2).owners[0].owner.scalars == [0, 2, 1, 1, 0, 2])
    }
}
