import ArgumentParser
import Foundation
import PACDistributed
import PACEngine

/// The `pacnet` command-line tool.
@main
struct PACNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacnet",
        abstract: "PAC-Net transfer learning: prune, allocate, calibrate — one network for two tasks.",
        version: "0.1.0",
        subcommands: [FriedmanCommand.self, PendulumCommand.self, BurgersCommand.self, ShapesCommand.self, ChainCommand.self, SuiteCommand.self, BenchCommand.self, ClusterCommand.self, TrainCommand.self, PruneCommand.self, AllocateCommand.self,
                      CalibrateCommand.self, TransferCommand.self, EvaluateCommand.self, PredictCommand.self, InfoCommand.self])

    /// Runs the command. Every failure exits with status 1, whether the command line was
    /// malformed (which ArgumentParser alone would report with 64) or the work failed; `--help`
    /// and `--version` exit with 0.
    ///
    /// Started by `mpirun` or `srun`, the distributed commands (`DistributedCommand`) run on
    /// every rank and rank 0 writes the outputs; another command is refused. An error that every
    /// rank learned of together is reported by rank 0; one rank's own error is reported with its
    /// rank and stops the whole job (`MPI_Abort`).
    static func main() {
        // The optional BLAS is opened (and `OPENBLAS_CORETYPE` set) while this is the only
        // thread: `setenv` must not race another thread's `getenv`.
        _ = SystemBLAS.shared
        var world: (any Communicator)?
        do {
            var command = try parseAsRoot()
            if Cluster.isLaunchedByMPI {
                let communicator = try Cluster.world()
                world = communicator
                if communicator.size > 1 && !(command is DistributedCommand) {
                    throw DistributedError("this command runs in one process; start it without mpirun (distributed: \(distributedNames))", jobWide: true)
                }
            }
            try command.run()
            Cluster.finalize()
        } catch {
            guard exitCode(for: error) != .success else { Cluster.finalize(); exit(withError: error) }
            guard let world, world.size > 1 else {
                // Before MPI starts (a malformed command line), every rank has the same error.
                if Cluster.launchRank == 0 { FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8)) }
                Foundation.exit(1)
            }
            if (error as? DistributedError)?.isJobWide == true {
                if world.isRoot { FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8)) }
                Cluster.finalize()
                Foundation.exit(1)
            }
            FileHandle.standardError.write(Data(("rank \(world.rank) of \(world.size): " + fullMessage(for: error) + "\n").utf8))
            world.abort(code: 1)
        }
    }

    static let distributedNames = "friedman, pendulum, burgers, shapes, suite, cluster; data-parallel: train, allocate, calibrate, transfer"
}
