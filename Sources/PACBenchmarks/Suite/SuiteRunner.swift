import Foundation
import PACDistributed
import PACEngine
import PACNN
import PACNet

/// Runs the benchmark suite: each task's comparison of all methods and its PAC-Net ablation,
/// keeping seed 0's predictions at the largest `n_target` for the report's figures.
public enum SuiteRunner {
    /// The results of one task.
    public struct TaskResults: Sendable {
        public let task: String
        public let metrics: [String]
        public let higherIsBetter: Bool
        public let targetSizes: [Int]
        /// The comparison's settings (schedules) for the report.
        public let configuration: ExperimentConfiguration
        public let comparison: [ExperimentRecord]
        public let ablation: [ExperimentRecord]
        public let seconds: Double
        public let ablationSeconds: Double
        /// Named SVG figures.
        public let figures: [(name: String, title: String, svg: String)]
    }

    /// Runs every task; `progress` gets one line per finished part.
    /// With a `communicator` of several ranks, every rank runs its share of each experiment
    /// (`TransferExperiment.run(on:)`) and rank 0 alone gets the results (the others get []).
    public static func run(_ suite: SuiteConfiguration, on communicator: any Communicator = SingleProcess(),
                           progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> [TaskResults] {
        try suite.tasks.map { name in
            switch name {
            case "friedman": try run(FriedmanTask(), suite, on: communicator, progress: progress)
            case "pendulum": try run(PendulumTask(), suite, on: communicator, progress: progress)
            case "burgers": try run(BurgersTask(), suite, on: communicator, progress: progress)
            case "shapes": try run(ShapesTask(), suite, on: communicator, progress: progress)
            default: preconditionFailure("unknown suite task '\(name)'")
            }
        }
    }

    static func run<Benchmark: TransferTask>(_ task: Benchmark, _ suite: SuiteConfiguration, on communicator: any Communicator,
                                        progress: @escaping @Sendable (String) -> Void) throws -> TaskResults {
        let sizes = task.defaultTargetSizes
        let captured = Captured()
        let configuration = suite.comparison(for: task)
        var experiment = try TransferExperiment(task: task, configuration: configuration)
        let largest = sizes.max()!
        experiment.onResult = { seed, n, method, result, data in
            guard seed == 0, n == largest, method.name == .pacnet || method.name == .finetune, !method.isAuto else { return }
            captured.store(method.name, Illustration.make(for: task, model: result.targetModel, data: data))
        }
        var comparison: [ExperimentRecord] = []
        let seconds = try Timing.seconds { comparison = try experiment.run(on: communicator) }
        progress("\(task.name): comparison done in \(String(format: "%.1f", seconds)) s")
        var ablation: [ExperimentRecord] = []
        let ablationSeconds = try Timing.seconds {
            ablation = try TransferExperiment(task: task, configuration: suite.ablation(for: task)).run(on: communicator)
        }
        progress("\(task.name): ablation done in \(String(format: "%.1f", ablationSeconds)) s")
        // The illustrated models may have trained on other ranks.
        let illustrations = try captured.gathered(on: communicator)
        let figures = SuiteFigures.make(task: task.name, metrics: task.metrics, records: comparison, illustrations: illustrations)
        return TaskResults(task: task.name, metrics: task.metrics, higherIsBetter: task.higherIsBetter, targetSizes: sizes,
                           configuration: configuration, comparison: comparison, ablation: ablation, seconds: seconds, ablationSeconds: ablationSeconds,
                           figures: figures)
    }

    /// Illustrations gathered from worker threads.
    private final class Captured: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [TransferMethod: Illustration] = [:]
        func store(_ method: TransferMethod, _ value: Illustration?) {
            guard let value else { return }
            lock.withLock { values[method] = value }
        }
        var all: [TransferMethod: Illustration] { lock.withLock { values } }

        /// Every rank's illustrations (each was drawn on exactly one rank).
        func gathered(on communicator: any Communicator) throws -> [TransferMethod: Illustration] {
            guard communicator.size > 1 else { return all }
            return try communicator.allGather(all).reduce(into: [:]) { merged, part in merged.merge(part) { first, _ in first } }
        }
    }
}

/// Predictions of one trained target model that the report draws.
enum Illustration: Sendable, Codable {
    /// Pendulum: true and predicted theta over the rollout, for a few initial states.
    case trajectories(time: [Double], truth: [[Double]], predicted: [[Double]])
    /// Burgers: u over x at a few times, true and predicted.
    case snapshots(x: [Double], times: [Double], truth: [[Double]], predicted: [[Double]])

    static func make<Benchmark: TransferTask>(for task: Benchmark, model: some Layer, data: TransferData) -> Illustration? {
        guard let model = model as? MLP else { return nil }
        if task is PendulumTask {
            guard let initial = data.extras["target_rollout_initial"], let truth = data.extras["target_rollout_truth"] else { return nil }
            let count = 3, steps = truth.shape[1]
            let predicted = PendulumTask.rollout(model, from: initial.slice(axis: 0, 0..<count), steps: steps)
            let time = (0...steps).map { Double($0) * PendulumTask.timeStep }
            func thetas(_ states: Tensor, _ r: Int) -> [Double] {
                [Double(initial[r, 0])] + (0..<steps).map { Double(states[r, $0, 0]) }
            }
            return .trajectories(time: time, truth: (0..<count).map { thetas(truth, $0) }, predicted: (0..<count).map { thetas(predicted, $0) })
        }
        if task is BurgersTask {
            // The target test set is the whole 256 x 101 grid, x-major.
            let grid = data.targetTest, nt = 101, nx = grid.count / nt
            let timeIndices = [25, 50, 75, 100]
            let x = (0..<nx).map { Double(grid.inputs[$0 * nt, 0]) }
            var truth: [[Double]] = [], predicted: [[Double]] = []
            for k in timeIndices {
                let rows = (0..<nx).map { $0 * nt + k }
                let inputs = grid.inputs.gatherRows(rows)
                truth.append(rows.map { Double(grid.targets[$0, 0]) })
                predicted.append(model.predict(inputs).scalars.map(Double.init))
            }
            return .snapshots(x: x, times: timeIndices.map { Double(grid.inputs[$0, 1]) }, truth: truth, predicted: predicted)
        }
        return nil
    }
}
