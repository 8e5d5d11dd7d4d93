import ArgumentParser
import PACBenchmarks

/// `pacnet burgers`: the viscous Burgers PDE transfer benchmark.
struct BurgersCommand: TaskCommand {
    static let configuration = CommandConfiguration(
        commandName: "burgers",
        abstract: "Transfer a learned Burgers solution u(x, t) from nu = 0.05 to nu = 0.02 (relative L2 error).")
    var task: BurgersTask { BurgersTask() }

    @OptionGroup var options: BenchmarkOptions
}
