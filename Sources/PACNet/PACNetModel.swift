import PACEngine
import PACNN

/// A PAC-Net network: one set of weights serving two tasks.
///
/// Built in three stages (Myung et al., ICML 2022):
/// 1. `prune`: keep the largest-magnitude weights of a trained source network (`masks`),
///    zero the rest;
/// 2. `allocate`: retrain on the source with pruned entries held at exactly zero, so all source
///    knowledge lives in the kept entries;
/// 3. `calibrated`: train only the pruned entries on the target, with `lambda * sum w_pruned^2`,
///    every other parameter frozen bit-for-bit.
///
/// The whole network is the target model; with the masks applied it is the source model, which
/// after calibration reproduces the allocated network's source predictions exactly.
///
/// Multi-task networks (`TaskHeads`): only the shared body is pruned; allocation trains through
/// the source head; calibration trains through the target head, which is new and fully
/// trainable, while the source head stays frozen. Calibration also holds every running statistic
/// (batch normalization) fixed, since the source model reads them too.
public struct PACNetModel<Network: Layer> {
    /// The network; after calibration, the target model.
    public let network: Network
    /// 1 = entry kept for the source task, 0 = pruned (free for the target).
    public let masks: WeightMasks

    public init(network: Network, masks: WeightMasks) {
        self.network = network
        self.masks = masks
    }

    /// Stage 1: prunes a copy of a trained source network (the argument is not changed).
    public static func prune(_ source: Network, with pruning: MagnitudePruning) -> PACNetModel {
        let network = source.clone()
        let masks = pruning.masks(for: network)
        masks.zeroPruned(in: network)
        return PACNetModel(network: network, masks: masks)
    }

    /// Stage 2: retrains on the source data in place. Kept entries and unpruned parameters
    /// train; pruned entries are held at zero by their update masks.
    @discardableResult
    public func allocate(on source: Dataset, loss: Loss, schedule: TrainingSchedule,
                         rng: inout RandomGenerator, onStep: ((StepReport) -> Void)? = nil) throws(TrainingError) -> [Double] {
        for (parameter, keep) in masks.parameters(of: network) { parameter.updateMask = keep }
        TaskHeads.select(TaskHeads.source, in: network)
        defer { network.parameters().forEach { $0.unfreeze() } }
        return try schedule.train(network, on: source, loss: loss, rng: &rng, onStep: onStep)
    }

    /// Stage 3: a calibrated copy for the target task. Only pruned entries (and a multi-task
    /// network's target head) train; every other parameter and every running statistic is
    /// frozen; the loss gains `lambda * sum over pruned entries of w^2`.
    public func calibrated(on target: Dataset, loss: Loss, schedule: TrainingSchedule, lambda: Float,
                           rng: inout RandomGenerator, onStep: ((StepReport) -> Void)? = nil) throws(TrainingError) -> PACNetModel {
        let network = self.network.clone()
        network.parameters().forEach { $0.freeze() }
        let free = masks.inverted()
        for (parameter, mask) in free.parameters(of: network) { parameter.updateMask = mask }
        TaskHeads.parameters(of: TaskHeads.target, in: network).forEach { $0.unfreeze() }
        TaskHeads.select(TaskHeads.target, in: network)
        defer { network.parameters().forEach { $0.unfreeze() } }
        let penalty = lambda > 0 ? Penalty.prunedL2(network, masks: masks, lambda: lambda) : nil
        try network.withStatisticsFrozen { () throws(TrainingError) in
            _ = try schedule.train(network, on: target, loss: loss, rng: &rng, regularizer: penalty, onStep: onStep)
        }
        return PACNetModel(network: network, masks: masks)
    }

    /// The source model: a copy of the network with pruned entries zeroed.
    public func sourceModel() -> Network {
        let view = network.clone()
        masks.zeroPruned(in: view)
        TaskHeads.select(TaskHeads.source, in: view)
        return view
    }

    /// The target model: the whole network.
    public var targetModel: Network { network }
}
