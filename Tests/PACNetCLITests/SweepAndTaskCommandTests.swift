import PACBenchmarks
import PACNet
import Testing
@testable import PACNetCLI

/// `--ratio`/`--lambda` lists and the `pendulum`/`burgers` commands' defaults.
@Suite struct SweepAndTaskCommandTests {
    @Test func listsMakeASweep() throws {
        let command = try FriedmanCommand.parse(["--ratio", "0.5,0.8,0.9", "--lambda", "0,0.01"])
        let config = try command.options.configuration(defaultTargetSizes: [10], defaultMethods: TransferMethod.core)
        #expect(config.ratios == [0.5, 0.8, 0.9])
        #expect(config.lambdas == [0, 0.01])
        #expect(config.isSweep)
        #expect(config.variants(of: .pacnet).count == 6)
        #expect(config.variants(of: .packnet).count == 3)
        #expect(config.variants(of: .l2sp).count == 2)
        #expect(config.variants(of: .finetune).count == 1)
    }

    @Test(arguments: [
        (["--ratio", "0.5,x"], "'x' is not a number"),
        (["--ratio", "0.5,1.0"], "--ratio must be in (0, 1)"),
        (["--lambda", "0.01,-1"], "--lambda must be a finite number >= 0"),
        (["--ratio", "0.5,0.5"], "distinct"),
    ])
    func badListsAreRejected(arguments: [String], fragment: String) {
        do {
            _ = try FriedmanCommand.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            let message = FriedmanCommand.message(for: error)
            #expect(message.contains(fragment), "\(message)")
            #expect(!message.contains("\n"))
        }
    }

    @Test func newTasksDefaultToEveryMethod() throws {
        let pendulum = try PendulumCommand.parse([]).options.configuration(
            defaultTargetSizes: PendulumTask().defaultTargetSizes, defaultMethods: PendulumTask().defaultMethods)
        #expect(pendulum.methods == TransferMethod.allCases)
        #expect(pendulum.targetSizes == [20, 50, 200])
        let burgers = try BurgersCommand.parse([]).options.configuration(
            defaultTargetSizes: BurgersTask().defaultTargetSizes, defaultMethods: BurgersTask().defaultMethods)
        #expect(burgers.targetSizes == [50, 200, 1000])
        // friedman keeps the original four.
        #expect(try FriedmanCommand.parse([]).options.configuration(defaultTargetSizes: [10]).methods == TransferMethod.core)
    }

    @Test func pendulumJSONHasBothMetrics() throws {
        let record = ExperimentRecord.transfer(TransferRecord(task: "pendulum", seed: 0, nTarget: 20, method: .pacnet,
                                                              targetScores: [0.01, 0.05], sourceScores: [0.003, 0.03], seconds: 1))
        #expect(record.jsonLine(metrics: PendulumTask().metrics)
                == #"{"task":"pendulum","seed":0,"n_target":20,"method":"pacnet","target_rmse":0.01,"target_rollout_rmse":0.05,"source_rmse":0.003,"source_rollout_rmse":0.03,"seconds":1.0}"#)
    }
}
