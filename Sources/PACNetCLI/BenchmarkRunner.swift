import Foundation
import PACBenchmarks
import PACDistributed
import PACNN

/// Runs a benchmark task from the shared options and prints its table or JSON lines.
enum BenchmarkRunner {
    static func run<Benchmark: TransferTask>(_ task: Benchmark, options: BenchmarkOptions) throws {
        let config = try options.configuration(for: task)
        let schedules = config.schedules
        let experiment = try TransferExperiment(task: task, configuration: config)
        let started = DispatchTime.now().uptimeNanoseconds
        // Under mpirun every rank runs its share and rank 0 alone reports.
        let world = try Cluster.world()
        let quiet = options.quiet || !world.isRoot
        if !quiet {
            log("\(task.name): \(config.seeds.count) seed(s), n_target \(config.targetSizes.map(String.init).joined(separator: ",")), "
                + "methods \(config.methods.map(\.rawValue).joined(separator: ",")), \(config.parallelSeeds) in parallel")
        }
        var lastSeed: UInt64?
        let records: [ExperimentRecord]
        do {
            if world.size > 1 && options.dataParallel {
                // Every rank runs every cell alike; each step's batch is split over the ranks.
                if !quiet { log("\(world.size) ranks: data-parallel training; rank 0 reports") }
                records = try DataParallel.training(on: world) { try experiment.run() }
                guard world.isRoot else { return }
                if options.json { for record in records { print(record.jsonLine(metrics: task.metrics)) } }
            } else if world.size > 1 {
                if !quiet { log("\(world.size) ranks: each runs its share; rank 0 reports when all are done") }
                records = try experiment.run(on: world)
                guard world.isRoot else { return }
                if options.json { for record in records { print(record.jsonLine(metrics: task.metrics)) } }
            } else {
                // Each stage's epochs on stderr (a single seed of a large network is minutes of
                // training before its first result).
                records = try ProgressDisplay(quiet: quiet).showing {
                    try experiment.run { record in
                        if options.json {
                            // Unbuffered, so each line is visible as soon as its seed is done.
                            FileHandle.standardOutput.write(Data((record.jsonLine(metrics: task.metrics) + "\n").utf8))
                        }
                        if !quiet, case .transfer(let r) = record, r.seed != lastSeed {
                            lastSeed = r.seed
                            log("seed \(r.seed): transfers ready (\(elapsed(since: started)) elapsed)")
                        }
                    }
                }
            }
        } catch let error as DistributedError {
            throw DistributedError("\(task.name): \(error)", jobWide: error.isJobWide)
        } catch {
            throw CLIError("\(task.name): \(error)")
        }
        if !options.json {
            print(ResultsTable(task: task.name, metrics: task.metrics, higherIsBetter: task.higherIsBetter, records: records).render())
            let ratioText = config.autoRatio ? "auto" : config.ratios.map { "\($0)" }.joined(separator: ",")
            let lambdaText = config.autoLambda ? "auto" : config.lambdas.map { "\($0)" }.joined(separator: ",")
            print("\nsettings: ratio \(ratioText), lambda \(lambdaText)\(config.standardize ? ", standardized" : ""), pruning \(config.pruningScope.rawValue)"
                  + "\(config.pruneBiases ? " incl. biases" : ""), epochs source \(schedules.sourceEpochs) / allocate \(schedules.allocateEpochs)"
                  + " / target \(schedules.targetEpochs)\(schedules.targetMinimumSteps > 0 ? " (at least \(schedules.targetMinimumSteps) steps)" : ""), learning rate \(schedules.learningRate)\(config.targetLearningRate.map { ", target learning rate " + ($0.fixedValue.map { "\($0)" } ?? "auto") } ?? ""); total \(elapsed(since: started))")
        }
    }

    private static func elapsed(since start: UInt64) -> String {
        String(format: "%.1f s", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    private static func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
