@testable import PACBenchmarks
import PACNet
import Testing

/// A result depends only on its seed, method and `n_target`: not on repetition, parallelism, or
/// which other methods and sizes run.
struct ExperimentDeterminismTests {
    @Test func repeatedRunsGiveIdenticalScores() throws {
        let config = TinyExperiment.configuration()
        let first = try TinyExperiment.run(config)
        let second = try TinyExperiment.run(config)
        #expect(first.count == 2 * (3 + 2 * TransferMethod.allCases.count))
        #expect(first.scoreRows == second.scoreRows)
    }

    @Test func parallelSeedsDoNotChangeScoresOrOrder() throws {
        var serial = TinyExperiment.configuration(seeds: [0, 1, 2])
        serial.parallelSeeds = 1
        var parallel = serial
        parallel.parallelSeeds = 2
        let serialRecords = try TinyExperiment.run(serial)
        var streamed: [ExperimentRecord] = []
        let parallelRecords = try TransferExperiment(task: TinyExperiment.task(), configuration: parallel)
            .run { streamed.append($0) }
        #expect(serialRecords.scoreRows == parallelRecords.scoreRows)
        // `onRecord` sees the same records in the same (seed) order as the returned array.
        #expect(streamed.scoreRows == parallelRecords.scoreRows)
    }

    @Test func pacnetAloneMatchesPacnetAmongAllMethods() throws {
        let all = try TinyExperiment.run(TinyExperiment.configuration())
        let only = try TinyExperiment.run(TinyExperiment.configuration(methods: [.pacnet]))
        let expected = all.filter {
            if case .transfer(let r) = $0 { return r.method == .pacnet }
            return true
        }
        #expect(only.scoreRows == expected.scoreRows)
    }

    @Test func baselinesDoNotDependOnPacnetRunning() throws {
        let all = try TinyExperiment.run(TinyExperiment.configuration())
        let baselines = try TinyExperiment.run(TinyExperiment.configuration(methods: [.l2sp, .scratch]))
        func rows(_ records: [ExperimentRecord], _ method: TransferMethod) -> [ScoreRow] {
            records.filter { if case .transfer(let r) = $0 { r.method == method } else { false } }.scoreRows
        }
        #expect(rows(baselines, .scratch) == rows(all, .scratch))
        #expect(rows(baselines, .l2sp) == rows(all, .l2sp))
        #expect(baselines.stages.map(\.stage) == [.trained, .trained])
        #expect(baselines.stages.map(\.sourceScore) == all.stages.filter { $0.stage == .trained }.map(\.sourceScore))
    }

    /// The target pool is sized by the largest `n_target`; smaller runs use its prefix, so a size's
    /// results do not depend on the other sizes requested.
    @Test func targetSizeResultsDoNotDependOnOtherSizes() throws {
        let both = try TinyExperiment.run(TinyExperiment.configuration(seeds: [0], targetSizes: [5, 10]))
        let five = try TinyExperiment.run(TinyExperiment.configuration(seeds: [0], targetSizes: [5]))
        let ten = try TinyExperiment.run(TinyExperiment.configuration(seeds: [0], targetSizes: [10]))
        func rows(_ records: [ExperimentRecord], _ n: Int) -> [ScoreRow] {
            records.filter { if case .transfer(let r) = $0 { r.nTarget == n } else { true } }.scoreRows
        }
        #expect(five.scoreRows == rows(both, 5))
        #expect(ten.scoreRows == rows(both, 10))
    }

    @Test func differentSeedsGiveDifferentScores() throws {
        let records = try TinyExperiment.run(TinyExperiment.configuration(methods: [.scratch]))
        let sources = records.stages.map(\.sourceScore)
        #expect(sources.count == 2)
        #expect(sources[0] != sources[1])
    }
}
