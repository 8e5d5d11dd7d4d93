import PACEngine
import PACNN
import PACNet
import Testing
@testable import PACBenchmarks

/// The chain benchmark: every method scores every task after every step, the one-network PAC-Net
/// chain never changes a finished task, sequential fine-tuning does, and runs are deterministic.
@Suite struct ChainExperimentTests {
    static func tiny(targets: Int = 3) throws -> ChainExperiment<FriedmanTask> {
        var task = FriedmanTask()
        task.sourceTrainCount = 256
        task.testCount = 200
        task.hiddenSizes = [16, 16]
        var config = ChainConfiguration()
        config.seeds = [0, 1]
        config.targets = targets
        config.targetCount = 30
        config.schedules = StageSchedules(sourceEpochs: 20, allocateEpochs: 5, targetEpochs: 20, batchSize: 64, targetBatchCap: 16)
        config.parallelSeeds = 2
        return try ChainExperiment(task: task, configuration: config)
    }

    @Test func everyMethodScoresEveryLearnedTaskAfterEveryStep() throws {
        let records = try Self.tiny().run()
        // Per seed and method: steps 0...3 score tasks 0...step, i.e. 1 + 2 + 3 + 4 records.
        #expect(records.count == 2 * ChainMethod.allCases.count * 10)
        #expect(records.map(\.seed) == records.map(\.seed).sorted(), "seeds in order")
        func score(_ m: ChainMethod, seed: UInt64, step: Int, task: Int) -> Double {
            records.first { $0.method == m && $0.seed == seed && $0.step == step && $0.taskIndex == task }!.score
        }
        for seed: UInt64 in [0, 1] {
            // A finished task's score never changes afterwards, except under sequential fine-tuning.
            for method in ChainMethod.allCases where method != .finetuneSequential {
                for task in 0...3 {
                    for step in task...3 { #expect(score(method, seed: seed, step: step, task: task) == score(method, seed: seed, step: task, task: task)) }
                }
            }
            #expect(score(.finetuneSequential, seed: seed, step: 3, task: 0) != score(.finetuneSequential, seed: seed, step: 0, task: 0))
            // Both PAC-Net methods start from the same allocated source; the fine-tuning ones from the trained source.
            #expect(score(.pacnetChain, seed: seed, step: 3, task: 0) == score(.pacnetEach, seed: seed, step: 0, task: 0))
            #expect(score(.pacnetChainSource, seed: seed, step: 3, task: 0) == score(.pacnetEach, seed: seed, step: 0, task: 0))
            #expect(score(.finetuneEach, seed: seed, step: 0, task: 0) == score(.finetuneSequential, seed: seed, step: 0, task: 0))
            // Target 1 is calibrated identically by both before the chain releases half of its entries.
            #expect(score(.pacnetChain, seed: seed, step: 1, task: 1) != score(.pacnetEach, seed: seed, step: 1, task: 1))
        }
        // A chain's target records its score before its release at its own step (all but the last target).
        for record in records {
            let released = record.method.isOneNetwork && record.method != .finetuneSequential && record.step == record.taskIndex && record.step >= 1 && record.step < 3
            #expect((record.beforeRelease != nil) == released, "\(record)")
            if released { #expect(record.jsonLine(metric: "rmse").contains("\"rmse_before_release\":")) }
        }
        let matrix = ForgettingMatrix(task: "friedman", metric: "rmse", records: records)
        #expect(matrix.render().contains("| t3 | "))
        #expect(matrix.figure().contains("<svg") && matrix.figure().contains("pacnet-chain"))
    }

    @Test func runsAreDeterministicAndIndependentOfParallelismAndMethods() throws {
        let all = try Self.tiny(targets: 2).run()
        var config = try Self.tiny(targets: 2).configuration
        config.parallelSeeds = 1
        config.methods = [.pacnetChain]
        let alone = try ChainExperiment(task: Self.tiny().task, configuration: config).run()
        func scores(_ records: [ChainRecord]) -> [String] { records.map { "\($0.seed) \($0.step) \($0.taskIndex) \($0.score.bitPattern)" } }
        #expect(scores(alone) == scores(all.filter { $0.method == .pacnetChain }))
    }

    @Test func settingsThatLeaveATaskNothingAreRefused() throws {
        var config = try Self.tiny().configuration
        config.keep = 1
        #expect(throws: SettingError.self) { try ChainExperiment(task: FriedmanTask(), configuration: config) }
        config.keep = 0.5
        config.targets = 40
        #expect(throws: SettingError.self) { try ChainExperiment(task: ShapesTask(), configuration: config) }
        var tinyNetwork = FriedmanTask()
        tinyNetwork.hiddenSizes = [1]
        config.targets = 12
        #expect(throws: SettingError.self) { try ChainExperiment(task: tinyNetwork, configuration: config) }
    }

    @Test func shapesGroupsSplitTheTargetAttributes() {
        #expect((1...3).map { ShapesTask.chainAttributes($0, of: 3) } == [8..<10, 10..<13, 13..<16])
        #expect(ShapesTask.chainAttributes(1, of: 1) == 8..<16)
    }
}
