import PACEngine
import PACNN
import PACNet
import Testing
@testable import PACBenchmarks

/// `--lambda auto` / `--ratio auto` read only the target training data: poisoning every test
/// set changes the scores but not one chosen value; PAC-Net's source model stays exact; and the
/// standardized benchmark scores in the task's units.
@Suite struct SelectionIsolationTests {
    /// The tiny Friedman task with its test sets replaced by garbage (when `poisoned`).
    struct PoisonedTask: TransferTask {
        var base = TinyExperiment.task()
        var poisoned: Bool
        var name: String { base.name }
        var metrics: [String] { base.metrics }
        var higherIsBetter: Bool { base.higherIsBetter }
        var loss: Loss { base.loss }
        var defaultTargetSizes: [Int] { base.defaultTargetSizes }
        var defaultMethods: [TransferMethod] { base.defaultMethods }

        func makeData(seed: UInt64, targetPoolSize: Int) -> TransferData {
            let data = base.makeData(seed: seed, targetPoolSize: targetPoolSize)
            guard poisoned else { return data }
            func poison(_ d: Dataset) -> Dataset {
                Dataset(inputs: d.inputs.map { -50 * $0 + 3 }, targets: d.targets.map { 1e4 - 7 * $0 })
            }
            return TransferData(sourceTrain: data.sourceTrain, sourceTest: poison(data.sourceTest),
                                targetTrain: data.targetTrain, targetTest: poison(data.targetTest))
        }

        func makeNetwork(rng: inout RandomGenerator) -> MLP { base.makeNetwork(rng: &rng) }

        func scores(_ model: MLP, side: TaskSide, data: TransferData) -> [Double] { base.scores(model, side: side, data: data) }
    }

    static func configuration(standardize: Bool = false) -> ExperimentConfiguration {
        var config = TinyExperiment.configuration(seeds: [0, 1], targetSizes: [6, 12], methods: [.finetune, .l2sp, .pacnet])
        config.autoRatio = true
        config.autoLambda = true
        config.compareAutoWithDefaults = true
        config.selection.ratios = [0.5, 0.8]
        config.selection.lambdas = [0, 0.01, 1]
        config.standardize = standardize
        return config
    }

    @Test func poisonedTestDataChangesScoresButNoChosenValue() throws {
        let config = Self.configuration()
        let clean = try TransferExperiment(task: PoisonedTask(poisoned: false), configuration: config).run().transfers
        let poisoned = try TransferExperiment(task: PoisonedTask(poisoned: true), configuration: config).run().transfers
        #expect(clean.count == poisoned.count && clean.count == 2 * 2 * 5)
        let auto = clean.filter { $0.selection != nil }
        #expect(auto.count == 2 * 2 * 2)
        for (a, b) in zip(clean, poisoned) {
            #expect(a.variantLabel == b.variantLabel)
            #expect(a.selection?.ratio == b.selection?.ratio && a.selection?.lambda == b.selection?.lambda, "\(a.variantLabel) n=\(a.nTarget)")
            #expect(a.targetScore != b.targetScore)
        }
        // The selected values come from the grids; PAC-Net's selected ratio is one of them.
        for r in auto {
            #expect(r.selection!.lambda.map { [0, 0.01, 1].contains($0) } ?? false)
            if r.method == .pacnet { #expect([0.5, 0.8].contains(r.selection!.ratio!)) } else { #expect(r.selection!.ratio == nil) }
        }
    }

    @Test func autoPACNetKeepsTheAllocatedSourceScoreOfItsRatio() throws {
        for standardize in [false, true] {
            let records = try TransferExperiment(task: PoisonedTask(poisoned: false), configuration: Self.configuration(standardize: standardize)).run()
            let allocated = records.stages.filter { $0.stage == .allocated }
            for r in records.transfers where r.method == .pacnet {
                let ratio = r.selection?.ratio ?? 0.8
                let stage = allocated.first { $0.seed == r.seed && $0.ratio == ratio }!
                #expect(r.sourceScore!.bitPattern == stage.sourceScore.bitPattern, "standardize \(standardize) \(r.variantLabel)")
            }
        }
    }

    @Test func standardizedRunsScoreInTheTasksUnits() throws {
        var config = TinyExperiment.configuration(seeds: [0], targetSizes: [12], methods: [.finetune])
        config.standardize = true
        let records = try TinyExperiment.run(config)
        // Friedman RMSEs are in the units of y (noise sd 1, y spread about 5): a standardized
        // prediction scored raw would sit near the mean of |y| ~ 14.
        let source = records.stages.first!.sourceScore
        #expect(source > 0.5 && source < 6, "\(source)")
        #expect(records.transfers.allSatisfy { $0.targetScore < 8 })
    }
}
