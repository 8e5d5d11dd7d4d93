import Foundation
import Synchronization

/// The job this process belongs to: Open MPI's ranks when a launcher started it, else a single
/// process. One binary runs either way; without MPI installed nothing changes.
public enum Cluster {
    /// Whether `mpirun`/`srun` started this process as part of a job (its environment says so).
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// This process's rank as the launcher's environment gives it (0 when not launched by MPI),
    /// known before MPI starts: for reports that one rank alone should print.
    public static var launchRank: Int {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"].lazy.compactMap { environment[$0].flatMap { Int($0) } }.first ?? 0
    }

    /// The job's communicator, made on first use: Open MPI's when launched by MPI (an error if
    /// the library cannot be loaded), else `SingleProcess`.
    public static func world() throws(DistributedError) -> any Communicator {
        try state.withLock { (current) throws(DistributedError) -> any Communicator in
            if let current = current.communicator { return current }
            let made: any Communicator = isLaunchedByMPI
                ? try OpenMPI(libraries: (ProcessInfo.processInfo.environment["PACNET_MPI_LIBRARY"].map { [$0] } ?? []) + OpenMPI.candidates)
                : SingleProcess()
            current.communicator = made
            return made
        }
    }

    /// Ends MPI if it was started (call before a normal exit of every rank).
    public static func finalize() {
        state.withLock { ($0.communicator as? OpenMPI)?.finalize() }
    }

    private struct State: @unchecked Sendable { var communicator: (any Communicator)? }
    private static let state = Mutex(State())
}
