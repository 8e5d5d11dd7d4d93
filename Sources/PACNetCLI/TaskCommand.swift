import ArgumentParser
import PACBenchmarks

/// A benchmark task's command: the shared options, validated against the task's defaults, and
/// run through `BenchmarkRunner`.
protocol TaskCommand: ParsableCommand {
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
