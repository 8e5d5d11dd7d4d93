import ArgumentParser
import Foundation

/// The `pacnet` command-line tool.
@main
struct PACNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacnet",
        abstract: "PAC-Net transfer learning: prune, allocate, calibrate — one network for two tasks.",
        version: "0.1.0",
        subcommands: [FriedmanCommand.self, PendulumCommand.self, BurgersCommand.self, ShapesCommand.self, ChainCommand.self, SuiteCommand.self, BenchCommand.self, TrainCommand.self, PruneCommand.self, AllocateCommand.self,
                      CalibrateCommand.self, TransferCommand.self, EvaluateCommand.self, PredictCommand.self, InfoCommand.self])

    /// Runs the command. Every failure exits with status 1, whether the command line was
    /// malformed (which ArgumentParser alone would report with 64) or the work failed; `--help`
    /// and `--version` exit with 0.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(1)
        }
    }
}
