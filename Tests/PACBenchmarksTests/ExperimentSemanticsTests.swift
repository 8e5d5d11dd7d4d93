@testable import PACBenchmarks
import PACNet
import Testing

/// What an experiment's records contain and how PAC-Net's source score relates to its stages.
struct ExperimentSemanticsTests {
    @Test func recordsFollowSeedThenSizeThenMethodOrder() throws {
        let config = TinyExperiment.configuration(targetSizes: [10, 5], methods: [.pacnet, .scratch, .l2sp, .finetune])
        let records = try TinyExperiment.run(config)
        var expected: [String] = []
        for seed in config.seeds {
            expected += ["\(seed) trained", "\(seed) pruned", "\(seed) allocated"]
            for n in config.targetSizes { for m in config.methods { expected.append("\(seed) \(n) \(m.rawValue)") } }
        }
        let actual = records.map { record -> String in
            switch record {
            case .stage(let r): "\(r.seed) \(r.stage.rawValue)"
            case .transfer(let r): "\(r.seed) \(r.nTarget) \(r.method.rawValue)"
            }
        }
        #expect(actual == expected)
        #expect(records.stages.allSatisfy { $0.task == "friedman" && $0.seconds >= 0 && $0.sourceScore.isFinite })
        #expect(records.transfers.allSatisfy { $0.task == "friedman" && $0.seconds >= 0 && $0.targetScore.isFinite })
    }

    @Test func withoutPacnetOnlyTheSourceStageIsRecorded() throws {
        let records = try TinyExperiment.run(TinyExperiment.configuration(methods: [.scratch, .finetune, .l2sp]))
        #expect(records.stages.map(\.stage) == [.trained, .trained])
        #expect(records.stages.map(\.seed) == [0, 1])
        #expect(records.transfers.count == 2 * 2 * 3)
        #expect(!records.transfers.contains { $0.method == .pacnet })
    }

    @Test func sourceScorePresenceDependsOnMethod() throws {
        let records = try TinyExperiment.run(TinyExperiment.configuration())
        for r in records.transfers {
            switch r.method {
            case .scratch: #expect(r.sourceScore == nil)
            case .finetune, .l2sp, .pacnet, .pacnetBias, .freeze, .packnet, .delta, .bss: #expect(r.sourceScore?.isFinite == true, "\(r.method) \(r.nTarget)")
            }
        }
    }

    /// PAC-Net's masked network is the allocated source model, so its source score is unchanged
    /// by calibration to the last bit.
    @Test func pacnetSourceScoreEqualsAllocatedStageExactly() throws {
        let records = try TinyExperiment.run(TinyExperiment.configuration(targetSizes: [5, 10], methods: [.finetune, .pacnet, .pacnetBias]))
        let pacnet = records.transfers.filter { $0.method == .pacnet || $0.method == .pacnetBias }
        #expect(pacnet.count == 8)
        for r in pacnet {
            let allocated = try #require(records.stages.first { $0.seed == r.seed && $0.stage == .allocated })
            let score = try #require(r.sourceScore)
            #expect(score.bitPattern == allocated.sourceScore.bitPattern, "seed \(r.seed) n \(r.nTarget)")
        }
        // Fine-tuning, by contrast, moves the source model.
        for r in records.transfers where r.method == .finetune {
            let source = try #require(records.stages.first { $0.seed == r.seed && $0.stage == .trained })
            #expect(r.sourceScore != source.sourceScore)
        }
    }

    /// A small end-to-end run shared by the two tests below (computed once): 2 seeds, 1,000 source
    /// samples, a 10-32-32-1 network, 40 source / 20 allocate / 100 target epochs, n_target 50.
    /// (With 500 samples and 20 source epochs the source model was still worse than predicting the
    /// mean, RMSE ~12, so there was nothing to transfer; this is the first config tried after that.)
    static let endToEnd: [ExperimentRecord] = {
        var config = ExperimentConfiguration()
        config.seeds = [0, 1]
        config.targetSizes = [50]
        config.methods = [.scratch, .pacnet]
        config.schedules.sourceEpochs = 40
        config.schedules.allocateEpochs = 20
        config.schedules.targetEpochs = 100
        config.parallelSeeds = 2
        let task = TinyExperiment.task(sourceTrainCount: 1000, testCount: 500, hiddenSizes: [32, 32])
        return try! TinyExperiment.run(config, task: task)
    }()

    /// Pruning 80% of the weights hurts the source model; allocation recovers most of it.
    @Test func pruningHurtsAndAllocationRecovers() throws {
        for seed: UInt64 in [0, 1] {
            let stages = Self.endToEnd.stages.filter { $0.seed == seed }
            let score = Dictionary(uniqueKeysWithValues: stages.map { ($0.stage, $0.sourceScore) })
            let source = try #require(score[.trained]), pruned = try #require(score[.pruned])
            let allocated = try #require(score[.allocated])
            #expect(pruned > 1.5 * source, "seed \(seed): source \(source), pruned \(pruned)")
            #expect(allocated < pruned, "seed \(seed): pruned \(pruned), allocated \(allocated)")
            #expect(allocated - source < 0.5 * (pruned - source), "seed \(seed): \(source) -> \(pruned) -> \(allocated)")
        }
    }

    /// The specification's claim at small scale: with 50 target samples, PAC-Net transfers better
    /// than training from scratch (mean target RMSE over the seeds).
    @Test func pacnetBeatsScratchOnSmallTarget() throws {
        func mean(_ method: TransferMethod) -> Double {
            let scores = Self.endToEnd.transfers.filter { $0.method == method }.map(\.targetScore)
            return scores.reduce(0, +) / Double(scores.count)
        }
        #expect(Self.endToEnd.transfers.count == 4)
        let pacnet = mean(.pacnet), scratch = mean(.scratch)
        #expect(pacnet < scratch, "PAC-Net \(pacnet) vs scratch \(scratch)")
    }
}
