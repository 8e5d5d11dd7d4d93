import PACEngine
import PACNN
import PACNet
import Testing
@testable import PACBenchmarks

/// The `shapes` transfer task end to end on a few images: data, network, schedule, scores, and
/// PAC-Net's exact source preservation through the multi-head network.
@Suite struct ShapesTaskTests {
    static func tinyTask() -> ShapesTask {
        var task = ShapesTask()
        task.sourceTrainCount = 64
        task.testCount = 40
        return task
    }

    @Test func dataNetworkAndDefaults() {
        let task = Self.tinyTask()
        let data = task.makeData(seed: 0, targetPoolSize: 12)
        #expect(data.sourceTrain.inputs.shape == [64, 3, 32, 32] && data.sourceTrain.targets.shape == [64, 8])
        #expect(data.targetTrain.count == 12 && data.targetTest.count == 40 && data.sourceTest.count == 40)
        // Target attributes are columns 8-15 of the generator's; source 0-7.
        let (_, attributes) = ShapesGenerator().generate(count: 12, seed: 0, stream: "target-train")
        #expect(data.targetTrain.targets == ShapesGenerator.attributes(attributes, for: .target))
        var rng = RandomGenerator(seed: 1)
        let model = task.makeNetwork(rng: &rng)
        #expect(model.activeHead == 0 && model.heads.count == 2 && model.heads.allSatisfy { $0.outFeatures == 8 })
        #expect(model.backbone.blocks.count == 3)
        #expect(ShapesTask(blocksPerStage: 2).makeNetwork(rng: &rng).backbone.blocks.count == 6)
        let config = task.defaultConfiguration()
        #expect(config.targetSizes == [100, 500, 2000] && config.methods == TransferMethod.allCases)
        #expect(config.schedules.sourceEpochs == 8 && config.schedules.allocateEpochs == 3 && config.schedules.batchSize == 128)
        #expect(config.schedules.target(rows: 100).epochs == 150 && config.schedules.target(rows: 2000).batchSize == 64)
    }

    @Test func accuracyIsTheMeanPerAttributeAgreement() {
        let logits = Tensor(shape: [2, 3], scalars: [2, -1, 0.5, -3, 0, 4])
        let targets = Tensor(shape: [2, 3], scalars: [1, 0, 0, 0, 1, 1])
        // Agreements: 1, 1, 0 | 1, 0 (logit 0 predicts 0), 1 -> 4 of 6.
        #expect(ShapesTask.accuracy(logits: logits, targets: targets) == 4.0 / 6.0)
    }

    @Test func tinyExperimentKeepsThePACNetSourceModelExact() throws {
        var config = ExperimentConfiguration()
        config.seeds = [0]
        config.targetSizes = [8, 16]
        config.methods = [.finetune, .pacnet, .delta, .bss]
        config.schedules.sourceEpochs = 1
        config.schedules.allocateEpochs = 1
        config.schedules.targetEpochs = 1
        config.schedules.targetMinimumSteps = 2
        config.schedules.batchSize = 32
        config.schedules.targetBatchCap = 8
        let task = Self.tinyTask()
        let records = try TransferExperiment(task: task, configuration: config).run()
        let allocated = records.stages.first { $0.stage == .allocated }!
        let transfers = records.transfers
        #expect(transfers.count == 2 * 4)
        for record in transfers {
            #expect(record.targetScore >= 0 && record.targetScore <= 1)
            if record.method == .pacnet {
                #expect(record.sourceScore!.bitPattern == allocated.sourceScore.bitPattern)
            }
        }
    }
}
