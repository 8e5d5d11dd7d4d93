import PACEngine
import PACNN
@testable import PACNet

/// A small regression problem and network shared by the PAC-Net tests.
enum Fixtures {
    static func network(seed: UInt64 = 1, sizes: [Int] = [3, 12, 12, 1]) -> MLP {
        var rng = RandomGenerator(seed: seed, stream: "fixture/init")
        return MLP(sizes: sizes, activation: .tanh, rng: &rng)
    }

    /// `y = sin(x0) + x1 * x2 (+ shift)`, inputs uniform in [-1, 1).
    static func data(count: Int, seed: UInt64, shift: Float = 0) -> Dataset {
        var rng = RandomGenerator(seed: seed, stream: "fixture/data")
        let x = rng.uniformTensor(shape: [count, 3], low: -1, high: 1)
        let y = Tensor(shape: [count, 1], generating: { i in
            Foundation.sinf(x[i, 0]) + x[i, 1] * x[i, 2] + shift
        })
        return Dataset(inputs: x, targets: y)
    }

    static let schedule = TrainingSchedule(epochs: 5, batchSize: 16, learningRate: 1e-2)

    /// A trained source network, pruned and allocated.
    static func allocated(ratio: PruningRatio = 0.5) throws -> (source: MLP, allocated: PACNetModel<MLP>, data: Dataset) {
        let source = network()
        let data = data(count: 128, seed: 2)
        var rng = RandomGenerator(seed: 3)
        try schedule.train(source, on: data, loss: .mse, rng: &rng)
        let pruned = PACNetModel.pruned(source, with: MagnitudePruning(ratio: ratio))
        return (source, try pruned.allocated(on: data, loss: .mse, schedule: schedule, rng: &rng), data)
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }
}

import Foundation

/// What the method tests start a transfer from: the settings of one `Method` run through a
/// `TransferPipeline` (`TransferMethod.run`).
struct TransferSetup<Network: Layer> {
    let source: Network
    let allocated: PACNetModel<Network>?
    let makeFresh: (inout RandomGenerator) -> Network
    let loss: Loss
    let schedule: TrainingSchedule
    let lambda: Float
    var baselines = BaselineSettings()
}

extension TransferMethod {
    /// Trains this method, with `setup.lambda` where it has one, through the pipeline's one
    /// training path (`Method.train`).
    func run<Network: Layer>(_ setup: TransferSetup<Network>, target: Dataset,
                             rng: inout RandomGenerator) throws -> TransferResult<Network> {
        let ratio: PruningRatio = 0.5  // the key of the one allocated network
        let schedules = StageSchedules(sourceEpochs: 1, allocateEpochs: 1, targetEpochs: setup.schedule.epochs,
                                       batchSize: setup.schedule.batchSize, targetBatchCap: setup.schedule.batchSize,
                                       learningRate: try LearningRate(setup.schedule.learningRate))
        let pipeline = TransferPipeline(source: setup.source, sourceData: target, loss: setup.loss, schedules: schedules,
                                        makeFresh: setup.makeFresh, allocated: setup.allocated.map { [(ratio, $0)] } ?? [])
        let method = Method(self, ratio: .fixed(ratio), lambda: .fixed(try PenaltyStrength(setup.lambda)), baselines: setup.baselines)
        return try method.train(from: pipeline, on: target, schedule: setup.schedule, rng: &rng)
    }
}
