import Foundation
import PACDistributed
import PACNN
import PACNet

extension TransferExperiment {
    /// Runs the experiment on every rank of `communicator`, each rank doing its share, and
    /// returns every record on rank 0, in the order of a single-process run (other ranks
    /// return an empty list). The records are bit-identical to a single-process run's for any
    /// number of ranks, their `seconds` aside: each cell draws only from its own named streams.
    ///
    /// With at least as many seeds as ranks, seed `i` runs on rank `i % size`. With fewer, every
    /// rank trains and allocates every seed's source model (the same bits everywhere) and the
    /// seed's transfer cells (sample size x method) are dealt round-robin; with fewer cells than
    /// ranks too, every rank runs every cell and the candidate trainings of each cross-validated
    /// selection are dealt instead (`SharedJobs`). Shared records are rank 0's.
    public func run(on communicator: any Communicator) throws -> [ExperimentRecord] {
        guard communicator.size > 1 else { return try run() }
        let (rank, size) = (communicator.rank, communicator.size)
        let seeds = configuration.seeds
        let cellCount = configuration.targetSizes.count * configuration.methods.reduce(0) { $0 + configuration.runs(of: $1).count }
        var mine: [KeyedRecord] = []
        var failure: Error?
        do {
            if seeds.count >= size {
                for (index, seed) in seeds.enumerated() where index % size == rank {
                    var ordinal = 0
                    try run(seed: seed, cellWorkers: configuration.parallelSeeds, runsCell: { _ in true }) { record, cell in
                        mine.append(KeyedRecord(seedIndex: index, phase: cell == nil ? 0 : 1, ordinal: cell ?? ordinal, record: record))
                        ordinal += 1
                    }
                }
            } else if cellCount < size {
                // Fewer cells than ranks: every rank runs every cell, and the candidate trainings
                // of each cross-validated selection are dealt over the ranks (`SharedJobs`).
                for (index, seed) in seeds.enumerated() {
                    var ordinal = 0
                    try SharedJobs.sharing(over: communicator) { () throws(TrainingError) in
                        try run(seed: seed, cellWorkers: configuration.parallelSeeds, runsCell: { _ in true }) { record, cell in
                            if rank == 0 {
                                mine.append(KeyedRecord(seedIndex: index, phase: cell == nil ? 0 : 1, ordinal: cell ?? ordinal, record: record))
                            }
                            ordinal += 1
                        }
                    }
                }
            } else {
                for (index, seed) in seeds.enumerated() {
                    var ordinal = 0
                    try run(seed: seed, cellWorkers: configuration.parallelSeeds, runsCell: { $0 % size == rank }) { record, cell in
                        // Every rank computes the source stages; rank 0's are kept.
                        if cell != nil || rank == 0 {
                            mine.append(KeyedRecord(seedIndex: index, phase: cell == nil ? 0 : 1, ordinal: cell ?? ordinal, record: record))
                        }
                        ordinal += 1
                    }
                }
            }
        } catch {
            failure = error
        }
        // A rank that failed says so in the gather, so every rank learns of it and none waits.
        let shipments = try communicator.allGather(Shipment(records: mine, failure: failure.map { "rank \(rank): \($0)" }))
        if let failed = shipments.compactMap(\.failure).first { throw DistributedError(failed, jobWide: true) }
        guard communicator.isRoot else { return [] }
        return shipments.flatMap(\.records).sorted { ($0.seedIndex, $0.phase, $0.ordinal) < ($1.seedIndex, $1.phase, $1.ordinal) }.map(\.record)
    }
}

/// A record and where it belongs in a single-process run: its seed's index, 0 for the source
/// stages or 1 for transfers, and the stage's position or the transfer's cell index.
struct KeyedRecord: Codable {
    let seedIndex: Int
    let phase: Int
    let ordinal: Int
    let record: ExperimentRecord
}

/// What one rank sends rank 0: its records, or its error.
struct Shipment: Codable {
    let records: [KeyedRecord]
    let failure: String?
}

