import ArgumentParser
import Foundation
import PACBenchmarks
import PACNet
@testable import PACNetCLI
import Testing

/// `pacnet friedman` option parsing and validation, in process.
struct OptionValidationTests {
    /// Invalid arguments, each with a fragment its error message must mention.
    static let invalid: [([String], String)] = [
        (["--ratio", "0"], "--ratio"),
        (["--ratio", "1"], "--ratio"),
        (["--ratio", "1.5"], "--ratio"),
        (["--ratio", "-0.2"], "--ratio"),
        (["--ratio", "nan"], "--ratio"),
        (["--lambda", "-0.1"], "--lambda"),
        (["--lambda", "inf"], "--lambda"),
        (["--methods", ""], "--methods"),
        (["--methods", ","], "--methods"),
        (["--methods", "foo"], "foo"),
        (["--methods", "scratch,foo"], "foo"),
        (["--methods", "pacnet,pacnet"], "--methods"),
        (["--seeds", "0"], "--seeds"),
        (["--seeds", "-1"], "--seeds"),
        (["--n-target", "0"], "--n-target"),
        (["--n-target", "10,x"], "'x'"),
        (["--n-target", "10,,20"], "--n-target"),
        (["--n-target", "10,10"], "distinct"),
        (["--pruning-scope", "bogus"], "bogus"),
        (["--learning-rate", "0"], "--learning-rate"),
        (["--learning-rate", "-1e-3"], "--learning-rate"),
        (["--source-epochs", "0"], "--source-epochs must be at least 1"),
        (["--allocate-epochs", "0"], "--allocate-epochs must be at least 1"),
        (["--target-epochs", "0"], "--target-epochs must be at least 1"),
        (["--jobs", "0"], "--jobs"),
        (["--screening", "0.2"], "--screening"),
        (["--screening", "1:4"], "--screening"),
        (["--screening", "0.2:0"], "--screening"),
        (["--screening", "on"], "--screening"),
        (["--delta-alpha", "-1"], "--delta-alpha"),
        (["--delta-beta", "nan"], "--delta-beta"),
        (["--bss-eta", "-0.5"], "--bss-eta"),
        (["--bss-k", "0"], "--bss-k"),
        (["--lambda", "auto,0.1"], "'auto' cannot be combined"),
        (["--ratio", "0.5,auto"], "'auto' cannot be combined"),
    ]

    @Test(arguments: invalid)
    func invalidOptionsAreRejected(arguments: [String], fragment: String) {
        var caught: (any Error)?
        do {
            _ = try FriedmanCommand.parse(arguments)
        } catch {
            caught = error
        }
        guard let caught else {
            Issue.record("\(arguments) was accepted")
            return
        }
        let message = FriedmanCommand.message(for: caught)
        #expect(message.contains(fragment), "\(arguments): \(message)")
        #expect(!message.contains("\n"), "\(arguments): the message should be one line: \(message)")
    }

    @Test func defaultsAreTheSpecifications() throws {
        let command = try FriedmanCommand.parse([])
        let config = try command.options.configuration(for: FriedmanTask())
        #expect(config.seeds == [0, 1, 2, 3, 4])
        #expect(config.targetSizes == [10, 20, 50, 100, 200])
        #expect(config.methods == [.scratch, .finetune, .l2sp, .pacnet])
        #expect(config.ratio == 0.8)
        #expect(config.lambda == 0.01)
        #expect(config.pruningScope == .global)
        #expect(config.pruneBiases == false)
        #expect(config.schedules.sourceEpochs == 60)
        #expect(config.schedules.allocateEpochs == 30)
        #expect(config.schedules.targetEpochs == 300)
        #expect(config.schedules.learningRate.value == 1e-3)
        #expect(config.schedules.batchSize == 128)
        #expect(config.schedules.targetBatchCap == 32)
        #expect(config.parallelSeeds == ProcessInfo.processInfo.activeProcessorCount)
        #expect(command.options.json == false)
        #expect(command.options.quiet == false)
        // Everything except parallelism matches the library's defaults, which are the spec's too.
        var libraryDefaults = ExperimentConfiguration()
        libraryDefaults.parallelSeeds = config.parallelSeeds
        #expect(config == libraryDefaults)
    }

    @Test func explicitOptionsAreApplied() throws {
        let command = try FriedmanCommand.parse([
            "--seeds", "2", "--n-target", " 7, 3", "--methods", "pacnet, scratch", "--ratio", "0.5", "--lambda", "0",
            "--pruning-scope", "per-layer", "--prune-biases", "--source-epochs", "4", "--allocate-epochs", "3",
            "--target-epochs", "2", "--learning-rate", "0.01", "--jobs", "3", "--json", "--quiet",
        ])
        let config = try command.options.configuration(for: FriedmanTask())
        #expect(config.seeds == [0, 1])
        #expect(config.targetSizes == [7, 3])
        #expect(config.methods == [.pacnet, .scratch])
        #expect(config.ratio == 0.5)
        #expect(config.lambda == 0)
        #expect(config.pruningScope == .perLayer)
        #expect(config.pruneBiases)
        #expect(config.schedules.sourceEpochs == 4 && config.schedules.allocateEpochs == 3 && config.schedules.targetEpochs == 2)
        #expect(config.schedules.learningRate.value == 0.01)
        #expect(config.parallelSeeds == 3)
        #expect(command.options.json && command.options.quiet)
    }

    @Test func friedmanIsASubcommandOfPacnet() throws {
        let command = try PACNetCommand.parseAsRoot(["friedman", "--seeds", "1"])
        let friedman = try #require(command as? FriedmanCommand)
        #expect(friedman.options.seeds == 1)
        #expect(throws: (any Error).self) { try PACNetCommand.parseAsRoot(["friedman", "--ratio", "1"]) }
    }
}
