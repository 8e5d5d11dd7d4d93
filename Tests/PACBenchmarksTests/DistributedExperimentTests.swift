import PACBenchmarks
import PACDistributed
import PACNet
import PACTestSupport
import Testing

/// `TransferExperiment.run(on:)` over 1-3 ranks (threads of this process standing in for MPI
/// ranks) gives rank 0 exactly the single-process records, their timings aside.
struct DistributedExperimentTests {
    static func configuration(seeds: Int) -> ExperimentConfiguration {
        var config = FriedmanTask().defaultConfiguration()
        config.seeds = (0..<UInt64(seeds)).map { $0 }
        config.targetSizes = [10, 20]
        config.methods = [.finetune, .pacnet, .l2sp]
        config.schedules.sourceEpochs = 3
        config.schedules.allocateEpochs = 2
        config.schedules.targetEpochs = 3
        config.parallelSeeds = 1
        return config
    }

    /// The records without their timings.
    static func untimed(_ records: [ExperimentRecord]) -> [String] {
        records.map { $0.jsonLine(metric: "rmse").replacing(/"(selection_)?seconds":[0-9.e+-]+/, with: "") }
    }

    @Test("rank 0 gets the single-process records for 2 and 3 ranks", arguments: [(2, 3), (3, 3), (2, 1), (3, 2)])
    func recordsAreTheSingleProcessOnes(ranks: Int, seeds: Int) throws {
        let experiment = try TransferExperiment(task: FriedmanTask(), configuration: Self.configuration(seeds: seeds))
        let single = try experiment.run()
        let byRank = try ThreadCluster.run(size: ranks) { world in try experiment.run(on: world) }
        #expect(Self.untimed(byRank[0]) == Self.untimed(single))
        #expect(byRank.dropFirst().allSatisfy { $0.isEmpty })
        #expect(single.count == seeds * (1 + 2 + 2 * 3))  // trained, pruned, allocated; 2 sizes x 3 methods
    }

    @Test("one cell with auto selection: its candidate trainings dealt over the ranks, same records", arguments: [2, 3])
    func selectionShared(ranks: Int) throws {
        var config = Self.configuration(seeds: 1)
        config.targetSizes = [20]
        config.methods = [.pacnet]
        config.autoRatio = true
        config.autoLambda = true
        config.selection.ratios = [0.5, 0.8]
        config.selection.lambdas = [0, 0.01, 0.1]
        config.selection.maxFolds = 3
        config.selection.workers = 1
        let experiment = try TransferExperiment(task: FriedmanTask(), configuration: config)
        let single = try experiment.run()
        let byRank = try ThreadCluster.run(size: ranks) { world in try experiment.run(on: world) }
        #expect(Self.untimed(byRank[0]) == Self.untimed(single))
        #expect(single.contains { if case .transfer(let r) = $0 { r.selection != nil } else { false } })
    }

    @Test("a rank that fails makes every rank fail with its error, none waits")
    func failureReachesEveryRank() throws {
        var config = Self.configuration(seeds: 2)
        config.schedules.learningRate = try LearningRate(1e6)  // diverges at once
        let experiment = try TransferExperiment(task: FriedmanTask(), configuration: config)
        let outcomes = try ThreadCluster.run(size: 2) { world -> String in
            do { _ = try experiment.run(on: world); return "no error" } catch { return "\(error)" }
        }
        for outcome in outcomes { #expect(outcome.contains("rank 0: training diverged"), "\(outcome)") }
    }
}
