import PACEngine
import PACNN
import Testing
@testable import PACBenchmarks

@Suite struct PendulumTaskTests {
    static var small: PendulumTask {
        var task = PendulumTask()
        task.sourceTrainCount = 200
        task.testCount = 100
        task.rollouts = 10
        task.rolloutSteps = 8
        return task
    }

    @Test func pairsAreExactFlowIncrementsInTheSamplingBox() {
        let task = Self.small
        let data = task.makeData(seed: 3, targetPoolSize: 20)
        for (dataset, system) in [(data.sourceTrain, task.source), (data.targetTrain, task.target)] {
            for row in 0..<dataset.count {
                let state = [Double(dataset.inputs[row, 0]), Double(dataset.inputs[row, 1])]
                #expect(PendulumTask.thetaRange.contains(state[0]) && PendulumTask.omegaRange.contains(state[1]))
                let next = system.flow(state, over: PendulumTask.timeStep)
                #expect(abs(Double(dataset.targets[row, 0]) - (next[0] - state[0])) < 1e-5)
                #expect(abs(Double(dataset.targets[row, 1]) - (next[1] - state[1])) < 1e-5)
            }
        }
        #expect(data.sourceTrain.count == 200 && data.sourceTest.count == 100 && data.targetTrain.count == 20)
    }

    @Test func targetPoolsAreNestedAndSeedsDiffer() {
        let task = Self.small
        let small = task.makeData(seed: 4, targetPoolSize: 5), large = task.makeData(seed: 4, targetPoolSize: 50)
        #expect(large.targetTrain.prefix(5).inputs == small.targetTrain.inputs)
        #expect(task.makeData(seed: 5, targetPoolSize: 5).targetTrain.inputs != small.targetTrain.inputs)
    }

    @Test func rolloutStatesStartInsideTheEnergyBoundAndFollowTheFlow() throws {
        let task = Self.small
        let data = task.makeData(seed: 6, targetPoolSize: 5)
        let initial = try #require(data.extras["target_rollout_initial"])
        let truth = try #require(data.extras["target_rollout_truth"])
        #expect(initial.shape == [10, 2] && truth.shape == [10, 8, 2])
        for r in 0..<10 {
            var state = [Double(initial[r, 0]), Double(initial[r, 1])]
            #expect(task.target.energy(state) <= PendulumTask.maximumRolloutEnergy)
            for k in 0..<8 {
                state = task.target.flow(state, over: PendulumTask.timeStep)
                #expect(abs(Double(truth[r, k, 0]) - state[0]) < 1e-4 && abs(Double(truth[r, k, 1]) - state[1]) < 1e-4)
            }
        }
    }

    @Test func rolloutIteratesTheModel() {
        // A network whose output is exactly zero leaves every state where it started.
        var rng = RandomGenerator(seed: 7)
        let model = MLP(sizes: [2, 4, 2], activation: .tanh, rng: &rng)
        model.parameters().forEach { $0.value = Tensor(zeros: $0.shape) }
        let initial = Tensor(rows: [[0.5, -1], [2, 3]])
        let states = PendulumTask.rollout(model, from: initial, steps: 3)
        #expect(states.shape == [2, 3, 2])
        #expect(states.scalars == [0.5, -1, 0.5, -1, 0.5, -1, 2, 3, 2, 3, 2, 3])
        // The scores are one-step and rollout RMSEs, in the task's metric order.
        let data = Self.small.makeData(seed: 8, targetPoolSize: 5)
        let scores = Self.small.scores(model, side: .target, data: data)
        #expect(scores.count == 2)
        #expect(abs(scores[0] - rootMeanSquaredError(Tensor(zeros: data.targetTest.targets.shape), data.targetTest.targets)) < 1e-9)
    }
}
