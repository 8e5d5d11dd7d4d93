import ArgumentParser
import PACBenchmarks

/// A benchmark task's command: the shared options, validated against the task's defaults, and
/// run through `BenchmarkRunner`.
protocol TaskCommand: ParsableCommand {
    associatedtype Task: TransferTask
    static var task: Task { get }
    var options: BenchmarkOptions { get }
}

extension TaskCommand {
    func validate() throws {
        _ = try options.configuration(defaultTargetSizes: Self.task.defaultTargetSizes, defaultMethods: Self.task.defaultMethods)
    }

    func run() throws { try BenchmarkRunner.run(Self.task, options: options) }
}
