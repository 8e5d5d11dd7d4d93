import PACNet
import PACEngine
import PACNN
import PACNumerics

/// The `pendulum` ODE task of the benchmark specification.
///
/// Learn the flow of a damped pendulum over `dt = 0.1 s` as an increment: input
/// `s = (theta, omega)`, output `s(t + dt) - s(t)`, with ground truth from RK4 at an internal step
/// of 0.001 s. States are uniform in theta in [-2.5, 2.5], omega in [-4, 4]. Source: L = 1.0,
/// gamma = 0.2; target: L = 1.5, gamma = 0.5. Network: MLP 2-100-100-100-2 with tanh.
///
/// Scores (`metrics`): `rmse`, the one-step RMSE of the increment on the test pairs, and
/// `rollout_rmse`, the state RMSE over 50 steps (5 s) of `s_{k+1} = s_k + f(s_k)` from 100
/// initial states drawn from the box with energy at most 8 (so the true trajectory stays in the
/// box), over all steps 1...50 and both state components.
public struct PendulumTask: TransferTask {
    public let name = "pendulum"
    public let metrics = ["rmse", "rollout_rmse"]
    public let higherIsBetter = false
    public let loss = Loss.mse
    public let defaultTargetSizes = [20, 50, 200]
    public var source = DampedPendulum(length: 1.0, damping: 0.2)
    public var target = DampedPendulum(length: 1.5, damping: 0.5)
    public var sourceTrainCount = 10_000
    public var testCount = 10_000
    public var rollouts = 100
    public var rolloutSteps = 50
    public var hiddenSizes = [100, 100, 100]
    public static let timeStep = 0.1
    public static let thetaRange = -2.5...2.5
    public static let omegaRange = -4.0...4.0
    public static let maximumRolloutEnergy = 8.0

    public init() {}

    public func makeData(seed: UInt64, targetPoolSize: Int) -> TransferData {
        func pairs(_ count: Int, _ system: DampedPendulum, _ stream: String) -> Dataset {
            var rng = RandomGenerator(seed: seed, stream: "pendulum/\(stream)")
            var inputs = [Float](), increments = [Float]()
            inputs.reserveCapacity(2 * count)
            increments.reserveCapacity(2 * count)
            for _ in 0..<count {
                // One state per draw, so smaller pools are prefixes of larger ones.
                let state = Self.uniformState(&rng)
                let next = system.flow(state, over: Self.timeStep)
                inputs += state.map(Float.init)
                increments += [Float(next[0] - state[0]), Float(next[1] - state[1])]
            }
            return Dataset(inputs: Tensor(shape: [count, 2], scalars: inputs), targets: Tensor(shape: [count, 2], scalars: increments))
        }
        var extras: [String: Tensor] = [:]
        for (side, system) in [(TaskSide.source, source), (.target, target)] {
            let (initial, truth) = rolloutTruth(system, seed: seed, stream: "pendulum/\(side.rawValue)-rollouts")
            extras["\(side.rawValue)_rollout_initial"] = initial
            extras["\(side.rawValue)_rollout_truth"] = truth
        }
        return TransferData(
            sourceTrain: pairs(sourceTrainCount, source, "source-train"),
            sourceTest: pairs(testCount, source, "source-test"),
            targetTrain: pairs(targetPoolSize, target, "target-train"),
            targetTest: pairs(testCount, target, "target-test"),
            extras: extras)
    }

    public func makeNetwork(rng: inout RandomGenerator) -> MLP {
        MLP(sizes: [2] + hiddenSizes + [2], activation: .tanh, rng: &rng)
    }

    public func scores(_ model: MLP, side: TaskSide, data: TransferData) -> [Double] {
        let test = data.test(side)
        let oneStep = rootMeanSquaredError(model.predict(test.inputs, batchSize: 2048), test.targets)
        let truth = data.extras["\(side.rawValue)_rollout_truth"]!
        let predicted = Self.rollout(model, from: data.extras["\(side.rawValue)_rollout_initial"]!, steps: truth.shape[1])
        return [oneStep, rootMeanSquaredError(predicted, truth)]
    }

    /// `[trajectories, steps, 2]` states of `s_{k+1} = s_k + model(s_k)` from `initial` (`[trajectories, 2]`).
    public static func rollout(_ model: MLP, from initial: Tensor, steps: Int) -> Tensor {
        var state = initial
        var states: [Tensor] = []
        for _ in 0..<steps {
            state = state + model.predict(state)
            states.append(state.reshaped(to: [initial.shape[0], 1, 2]))
        }
        return Tensor.concatenate(states, axis: 1)
    }

    /// Initial states (energy <= 8, uniform in the box otherwise) and their exact trajectories.
    func rolloutTruth(_ system: DampedPendulum, seed: UInt64, stream: String) -> (Tensor, Tensor) {
        var rng = RandomGenerator(seed: seed, stream: stream)
        var initial: [[Double]] = []
        while initial.count < rollouts {
            let state = Self.uniformState(&rng)
            if system.energy(state) <= Self.maximumRolloutEnergy { initial.append(state) }
        }
        var truth = [Float]()
        truth.reserveCapacity(rollouts * rolloutSteps * 2)
        for start in initial {
            var state = start
            for _ in 0..<rolloutSteps {
                state = system.flow(state, over: Self.timeStep)
                truth += state.map(Float.init)
            }
        }
        return (Tensor(shape: [rollouts, 2], scalars: initial.flatMap { $0.map(Float.init) }),
                Tensor(shape: [rollouts, rolloutSteps, 2], scalars: truth))
    }

    private static func uniformState(_ rng: inout RandomGenerator) -> [Double] {
        let theta = thetaRange.lowerBound + (thetaRange.upperBound - thetaRange.lowerBound) * rng.uniformDouble()
        let omega = omegaRange.lowerBound + (omegaRange.upperBound - omegaRange.lowerBound) * rng.uniformDouble()
        return [theta, omega]
    }
}
