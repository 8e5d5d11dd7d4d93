import PACBenchmarks
import PACNet
import Testing
@testable import PACNetCLI

/// `--ratio`/`--lambda` lists and the `pendulum`/`burgers` commands' defaults.
@Suite struct SweepAndTaskCommandTests {
    @Test func listsMakeASweep() throws {
        let command = try FriedmanCommand.parse(["--ratio", "0.5,0.8,0.9", "--lambda", "0,0.01"])
        let config = try command.options.configuration(for: FriedmanTask())
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

    @Test func selectionGridsAndFoldsAreOptions() throws {
        let command = try FriedmanCommand.parse(["--lambda", "auto", "--ratio", "auto", "--target-learning-rate", "auto",
                                                 "--selection-ratios", "0.7,0.9", "--selection-lambdas", "0,0.001",
                                                 "--selection-learning-rates", "0.002", "--folds", "3"])
        let config = try command.options.configuration(for: FriedmanTask())
        #expect(config.selection.ratios == [0.7, 0.9] && config.selection.lambdas == [0, 0.001])
        #expect(config.selection.learningRates == [0.002] && config.selection.maxFolds == 3)
        // Allocation follows the grid.
        #expect(config.allocatedRatios == [0.7, 0.9])
        #expect(try FriedmanCommand.parse([]).options.configuration(for: FriedmanTask()).selection == HyperparameterSelection())
        for (arguments, fragment) in [(["--selection-ratios", "0.5,1"], "--selection-ratios must be in (0, 1)"),
                                      (["--selection-lambdas", "-1"], "--selection-lambdas must be"),
                                      (["--selection-learning-rates", "0"], "--selection-learning-rates must be"),
                                      (["--folds", "1"], "--folds must be at least 2")] {
            do {
                _ = try FriedmanCommand.parse(arguments).options.configuration(for: FriedmanTask())
                Issue.record("accepted \(arguments)")
            } catch {
                #expect(FriedmanCommand.message(for: error).contains(fragment), "\(FriedmanCommand.message(for: error))")
            }
        }
    }

    @Test func newTasksDefaultToEveryMethod() throws {
        let pendulum = try PendulumCommand.parse([]).options.configuration(for: PendulumTask())
        #expect(pendulum.methods == TransferMethod.allCases)
        #expect(pendulum.targetSizes == [20, 50, 200])
        let burgers = try BurgersCommand.parse([]).options.configuration(for: BurgersTask())
        #expect(burgers.targetSizes == [50, 200, 1000])
        // friedman keeps the original four.
        #expect(try FriedmanCommand.parse([]).options.configuration(for: FriedmanTask()).methods == TransferMethod.core)
    }

    @Test func autoSelectionAndStandardizationOptions() throws {
        let command = try FriedmanCommand.parse(["--lambda", "auto", "--ratio", " auto", "--standardize"])
        let config = try command.options.configuration(for: FriedmanTask())
        #expect(config.autoLambda && config.autoRatio && config.standardize)
        #expect(config.variants(of: .pacnet) == [.pacnet(ratio: .auto, lambda: .auto)])
        #expect(config.variants(of: .l2sp) == [.l2sp(lambda: .auto)])
        #expect(config.variants(of: .finetune) == [.finetune])
        #expect(config.allocatedRatios == [0.5, 0.7, 0.8, 0.9])
        let lambdaOnly = try FriedmanCommand.parse(["--lambda", "auto"]).options.configuration(for: FriedmanTask())
        #expect(lambdaOnly.variants(of: .pacnet) == [.pacnet(ratio: .fixed(0.8), lambda: .auto)])
        #expect(lambdaOnly.allocatedRatios == [0.8])
        for (arguments, fragment) in [(["--lambda", "0.1,auto"], "'auto' cannot be combined"),
                                      (["--ratio", "auto", "--n-target", "1,5"], "at least 2 target samples")] {
            do {
                _ = try FriedmanCommand.parse(arguments)
                Issue.record("accepted \(arguments)")
            } catch {
                #expect(FriedmanCommand.message(for: error).contains(fragment), "\(FriedmanCommand.message(for: error))")
            }
        }
        do {
            _ = try ShapesCommand.parse(["--standardize"])
            Issue.record("accepted --standardize for shapes")
        } catch {
            #expect(ShapesCommand.message(for: error).contains("regression"))
        }
    }

    @Test func shapesTakesTorchvisionArchitectures() throws {
        #expect(try ShapesCommand.parse([]).task.torchvision == nil)
        #expect(try ShapesCommand.parse(["--arch", "resnet18"]).task.torchvision == .resnet18)
        #expect(try ShapesCommand.parse(["--arch", "resnet34"]).task.torchvision == .resnet34)
        for bad in [["--arch", "resnet50"], ["--arch", "resnet18", "--blocks", "2"]] {
            #expect(throws: (any Error).self, "\(bad)") { try ShapesCommand.parse(bad) }
        }
    }

    @Test func shapesUsesItsOwnSchedule() throws {
        let command = try ShapesCommand.parse(["--blocks", "2"])
        #expect(command.task.blocksPerStage == 2)
        let config = try command.options.configuration(for: command.task)
        #expect(config.targetSizes == [100, 500, 2000])
        #expect(config.methods == TransferMethod.allCases)
        #expect(config.schedules.sourceEpochs == 8 && config.schedules.allocateEpochs == 3 && config.schedules.targetEpochs == 30)
        #expect(config.schedules.targetBatchCap == 64 && config.schedules.targetMinimumSteps == 300)
        // max(30 epochs, 300 steps) at batch min(n, 64).
        #expect(config.schedules.target(rows: 100).epochs == 150 && config.schedules.target(rows: 100).batchSize == 64)
        #expect(config.schedules.target(rows: 2000).epochs == 30)
        #expect(config.schedules.target(rows: 500).epochs == 38)
        // Explicit epochs still win over the task's.
        let custom = try ShapesCommand.parse(["--source-epochs", "1", "--target-epochs", "2"])
        let customConfig = try custom.options.configuration(for: custom.task)
        #expect(customConfig.schedules.sourceEpochs == 1 && customConfig.schedules.targetEpochs == 2 && customConfig.schedules.allocateEpochs == 3)
        #expect(throws: (any Error).self) { try ShapesCommand.parse(["--blocks", "0"]) }
    }

    /// A benchmark's stages report their epochs on stderr (a single seed of a large network is
    /// minutes of training before its first result); `--quiet` silences them, and stdout holds
    /// only the results.
    @Test func benchmarkProgressGoesToStderrUnlessQuiet() throws {
        let arguments = ["friedman", "--seeds", "1", "--n-target", "10", "--methods", "finetune,pacnet",
                         "--source-epochs", "2", "--allocate-epochs", "1", "--target-epochs", "2", "--json"]
        let shown = try ProcessTests.run(arguments)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stderr.contains("train: epoch 2/2") && shown.stderr.contains("allocate: epoch 1/1"), "\(shown.stderr)")
        #expect(shown.stderr.contains("transfer pacnet n=10"), "\(shown.stderr)")
        #expect(!shown.stdout.contains("epoch"), "\(shown.stdout)")
        let quiet = try ProcessTests.run(arguments + ["--quiet"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        // The same result lines either way (two methods, plus the source stages).
        #expect(quiet.stdout.split(separator: "\n").count == shown.stdout.split(separator: "\n").count)
    }

    @Test func pendulumJSONHasBothMetrics() throws {
        let record = ExperimentRecord.transfer(TransferRecord(task: "pendulum", seed: 0, nTarget: 20, method: .pacnet,
                                                              targetScores: [0.01, 0.05], sourceScores: [0.003, 0.03], seconds: 1))
        #expect(record.jsonLine(metrics: PendulumTask().metrics)
                == #"{"task":"pendulum","seed":0,"n_target":20,"method":"pacnet","target_rmse":0.01,"target_rollout_rmse":0.05,"source_rmse":0.003,"source_rollout_rmse":0.03,"seconds":1.0}"#)
    }
}
