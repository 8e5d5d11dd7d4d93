import ArgumentParser

/// The `pacnet` command-line tool.
@main
struct PACNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacnet",
        abstract: "PAC-Net transfer learning: prune, allocate, calibrate — one network for two tasks.",
        version: "0.1.0",
        subcommands: [FriedmanCommand.self, PendulumCommand.self, BurgersCommand.self, ShapesCommand.self, SuiteCommand.self, BenchCommand.self, TrainCommand.self, PruneCommand.self, AllocateCommand.self,
                      CalibrateCommand.self, TransferCommand.self, EvaluateCommand.self, PredictCommand.self, InfoCommand.self])
}
