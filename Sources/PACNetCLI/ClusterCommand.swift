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
        // What one data-parallel step pays to communicate: an allreduce of a model's gradient.
        let timings = try [78_000, 1_000_000, 11_200_000].map { count in (count, try ClusterCheck.allreduceSeconds(on: world, floats: count)) }
        if world.isRoot {
            print("ranks: \(world.size)")
            print("mpi_library: \(library)")
            print("collectives: ok (barrier, broadcast of \(world.size) lengths, allreduce of \(checkFloats) floats, gather of variable-length bytes)")
            for (count, seconds) in timings {
                print("allreduce_\(count)_floats: \(String(format: "%.1f", seconds * 1e6)) us (median of 9)")
            }
        }
    }
}
