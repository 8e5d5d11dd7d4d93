import ArgumentParser
import PACBenchmarks

/// `pacnet burgers`: the viscous Burgers PDE transfer benchmark.
struct BurgersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "burgers",
        abstract: "Transfer a learned Burgers solution u(x, t) from nu = 0.05 to nu = 0.02 (relative L2 error).")

    @OptionGroup var options: BenchmarkOptions

    func validate() throws {
        let task = BurgersTask()
        _ = try options.configuration(defaultTargetSizes: task.defaultTargetSizes, defaultMethods: task.defaultMethods)
    }

    func run() throws { try BenchmarkRunner.run(BurgersTask(), options: options) }
}
