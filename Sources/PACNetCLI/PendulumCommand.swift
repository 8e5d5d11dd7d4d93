import ArgumentParser
import PACBenchmarks

/// `pacnet pendulum`: the damped-pendulum ODE transfer benchmark.
struct PendulumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pendulum",
        abstract: "Transfer a learned pendulum flow from L = 1.0, gamma = 0.2 to L = 1.5, gamma = 0.5 (one-step and rollout RMSE).")

    @OptionGroup var options: BenchmarkOptions

    func validate() throws {
        let task = PendulumTask()
        _ = try options.configuration(defaultTargetSizes: task.defaultTargetSizes, defaultMethods: task.defaultMethods)
    }

    func run() throws { try BenchmarkRunner.run(PendulumTask(), options: options) }
}
