import ArgumentParser
import PACDistributed
import PACNN
import PACWorkflow

/// A workflow command that trains (`train`, `allocate`, `calibrate`, `transfer`): under `mpirun`
/// every rank runs it with data-parallel training (`DataParallel`), holding the same model bits;
/// rank 0 alone prints, shows progress and writes files (`RankOutput`).
protocol DataParallelCommand: DistributedCommand {
    /// The command's work, run on every rank.
    func runOnEveryRank() throws
}

extension DataParallelCommand {
    func run() throws {
        let world = try Cluster.world()
        try DataParallel.training(on: world) { () throws in try runOnEveryRank() }
    }
}

/// Whether this process prints and writes: always alone, rank 0 under `mpirun` (the other ranks
/// compute the same model and stay silent; their errors still reach stderr).
enum RankOutput {
    static var isRoot: Bool { !Cluster.isLaunchedByMPI || Cluster.launchRank == 0 }
}

extension ModelFile {
    /// `save(to:overwrite:)` on rank 0 only (see `RankOutput`).
    func saveOnRoot(to path: String, overwrite: Bool) throws(WorkflowError) {
        guard RankOutput.isRoot else { return }
        try save(to: path, overwrite: overwrite)
    }
}
