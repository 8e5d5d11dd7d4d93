import ArgumentParser
import Foundation
import PACBenchmarks
import PACDistributed
import PACNet
import PACIO

/// `pacnet suite`: every task, all methods, an ablation, and a report with tables and figures.
struct SuiteCommand: DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run friedman, pendulum, burgers and shapes with every method plus a PAC-Net ablation; write report/README.md, SVG figures and results.jsonl.")

    @Option(help: "Report directory.")
    var out: String = "report"
    @Option(parsing: .unconditional, help: "Number of seeds.")
    var seeds: Int = 3
    @Option(help: "Comma-separated tasks, in report order (default: \(SuiteConfiguration.allTasks.joined(separator: ","))).")
    var tasks: String = SuiteConfiguration.allTasks.joined(separator: ",")
    @Flag(help: "A sixth of every task's epochs (friedman: source 10, allocate 5, target 50) for a quick look.")
    var quick = false
    @Option(name: .customLong("ablation-ratio"), help: "Pruning ratios of the ablation.")
    var ablationRatio: String = "0.5,0.8,0.9"
    @Option(name: .customLong("ablation-lambda"), help: "Lambdas of the ablation.")
    var ablationLambda: String = "0.001,0.01,0.1"
    @Option(name: .customLong("target-learning-rate"), parsing: .unconditional, help: "'auto': on the tasks with auto selection, every method also gets a variant that chooses its target learning rate by cross-validation (with ratio and lambda where it has them).")
    var targetLearningRate: String?
    @Option(help: "Seeds run in parallel (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Overwrite an existing report.")
    var force = false
    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        guard seeds >= 1 else { throw CLIError("--seeds must be at least 1, got \(seeds)") }
        guard jobs >= 1 else { throw CLIError("--jobs must be at least 1, got \(jobs)") }
        let readme = (out as NSString).appendingPathComponent("README.md")
        if !force && FileManager.default.fileExists(atPath: readme) {
            throw CLIError("\(readme): output file exists (use --force to overwrite)")
        }
        var suite = SuiteConfiguration()
        suite.tasks = tasks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !suite.tasks.isEmpty else { throw CLIError("--tasks: the task list is empty") }
        for task in suite.tasks where !SuiteConfiguration.allTasks.contains(task) {
            throw CLIError("--tasks: unknown task '\(task)' (known: \(SuiteConfiguration.allTasks.joined(separator: ", ")))")
        }
        guard Set(suite.tasks).count == suite.tasks.count else { throw CLIError("--tasks: a task is listed twice") }
        suite.seeds = seeds
        suite.quick = quick
        suite.targetLearningRate = try targetLearningRate.map(AutoOption.learningRate)
        suite.parallelSeeds = jobs
        suite.ablationRatios = try BenchmarkOptions.ratios(ablationRatio, option: "--ablation-ratio")
        suite.ablationLambdas = try BenchmarkOptions.lambdas(ablationLambda, option: "--ablation-lambda")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        // Under mpirun every rank runs its share; rank 0 alone reports and writes.
        let world = try Cluster.world()
        let quiet = self.quiet || !world.isRoot
        var results: [SuiteRunner.TaskResults] = []
        let seconds = try Timing.seconds {
            results = try SuiteRunner.run(suite, on: world) { line in
                if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
        }
        guard world.isRoot else { return }
        func write(_ name: String, _ text: String) throws {
            do { try AtomicFile.write(text, to: (out as NSString).appendingPathComponent(name), overwrite: true) } catch {
                throw CLIError(error.description)
            }
        }
        for task in results {
            for figure in task.figures { try write(figure.name, figure.svg) }
        }
        let jsonl = results.flatMap { task in (task.comparison + task.ablation).map { $0.jsonLine(metrics: task.metrics) } }
        try write("results.jsonl", jsonl.joined(separator: "\n") + "\n")
        try write("README.md", SuiteReport.markdown(results, suite: suite, totalSeconds: seconds))
        print("report written to \(readme) (\(SuiteReport.duration(seconds)))")
    }
}
