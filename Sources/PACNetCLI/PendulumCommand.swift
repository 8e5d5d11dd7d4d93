import ArgumentParser
import PACBenchmarks

/// `pacnet pendulum`: the damped-pendulum ODE transfer benchmark.
struct PendulumCommand: TaskCommand {
    static let configuration = CommandConfiguration(
        commandName: "pendulum",
        abstract: "Transfer a learned pendulum flow from L = 1.0, gamma = 0.2 to L = 1.5, gamma = 0.5 (one-step and rollout RMSE).")
    var task: PendulumTask { PendulumTask() }

    @OptionGroup var options: BenchmarkOptions
}
