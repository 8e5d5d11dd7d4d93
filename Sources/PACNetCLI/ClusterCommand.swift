import ArgumentParser
import Foundation
import PACDistributed

/// `pacnet cluster`: what the job looks like from here, and a check of every collective.
struct ClusterCommand: DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Show the ranks of this job (under mpirun or srun) and check every collective pacnet uses: barrier, broadcast, allreduce, gather.")

    @Option(name: .customLong("check-floats"), help: "Floats each rank allreduces in the check (default 1,000,000; more than 2^31 tests the pieces).")
    var checkFloats: Int = 1_000_000

    func validate() throws {
        guard checkFloats >= 1 else { throw CLIError("--check-floats must be at least 1, got \(checkFloats)") }
    }

    func run() throws {
        let world = try Cluster.world()
        let library = (world as? OpenMPI)?.library ?? "none (one process)"
        try ClusterCheck.run(on: world, floats: checkFloats)
        if world.isRoot {
            print("ranks: \(world.size)")
            print("mpi_library: \(library)")
            print("collectives: ok (barrier, broadcast of \(world.size) lengths, allreduce of \(checkFloats) floats, gather of variable-length bytes)")
        }
    }
}
