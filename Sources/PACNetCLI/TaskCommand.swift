import ArgumentParser
import PACBenchmarks

/// A benchmark task's command: the shared options, validated against the task's defaults, and
/// run through `BenchmarkRunner`.
protocol TaskCommand: DistributedCommand {
    associatedtype Benchmark: TransferTask
    /// The task with the command's own options applied.
    var task: Benchmark { get }
    var options: BenchmarkOptions { get }
}

extension TaskCommand {
    func validate() throws {
        _ = try options.configuration(for: task)
    }

    func run() throws { try BenchmarkRunner.run(task, options: options) }
}

/// A command that `mpirun -np N pacnet ...` spreads over the ranks (rank 0 writes the output).
protocol DistributedCommand: ParsableCommand {}
