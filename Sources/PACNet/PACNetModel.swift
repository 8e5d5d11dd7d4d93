import PACEngine
import PACNN

/// A PAC-Net network: one set of weights serving two tasks.
///
/// Built in three stages (Myung et al., ICML 2022), each returning a new model and leaving its
/// input untouched:
/// 1. `pruned`: keep the largest-magnitude weights of a trained source network (`masks`), zero
///    the rest;
/// 2. `allocated`: retrain on the source with pruned entries held at exactly zero, so all source
///    knowledge lives in the kept entries;
/// 3. `calibrated`: train only the pruned entries on the target, with
///    `lambda * sum w_pruned^2`, every other parameter frozen bit-for-bit. With
///    `TargetFreedom.ownBiases` the target also gets its own copy of every bias, normalization
///    parameter and running statistic; the originals move to `sourceCopies`.
///
/// The whole network is the target model; with the masks applied (and `sourceCopies` loaded
/// back) it is the source model, which after calibration reproduces the allocated network's
/// source predictions exactly.
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
    /// The source's own values of the entries the target retrained in full (empty unless
    /// calibrated with `TargetFreedom.ownBiases`).
    public let sourceCopies: SourceCopies
    /// The head calibration trains in a multi-task network (1, or a later task's head when the
    /// "source" is every task of a `TaskChain` so far).
    public let targetHead: Int

    public init(network: Network, masks: WeightMasks, sourceCopies: SourceCopies = .none, targetHead: Int = TaskSide.target.head) {
        self.network = network
        self.masks = masks
        self.sourceCopies = sourceCopies
        self.targetHead = targetHead
    }

    /// Stage 1: a pruned copy of a trained source network.
    public static func pruned(_ source: Network, with pruning: MagnitudePruning) -> PACNetModel {
        let network = source.clone()
        let masks = pruning.masks(for: network)
        masks.zeroPruned(in: network)
        return PACNetModel(network: network, masks: masks)
    }

    /// Stage 2: an allocated copy, retrained on the source data. Kept entries and unpruned
    /// parameters train; pruned entries are held at zero by their update masks.
    public func allocated(on source: Dataset, loss: Loss, schedule: TrainingSchedule,
                          rng: inout RandomGenerator) throws(TrainingError) -> PACNetModel {
        let network = self.network.clone()
        for (parameter, keep) in masks.parameters(of: network) { parameter.updateMask = keep }
        TaskHeads.select(.source, in: network)
        defer { network.parameters().forEach { $0.unfreeze() } }
        try schedule.train(network, on: source, loss: loss, rng: &rng)
        return PACNetModel(network: network, masks: masks, sourceCopies: sourceCopies, targetHead: targetHead)
    }

    /// Stage 3: a calibrated copy for the target task. Only pruned entries (and a multi-task
    /// network's target head) train; every other parameter and every running statistic is
    /// frozen; the loss gains `lambda * sum over pruned entries of w^2`. With `.ownBiases`,
    /// biases, normalization parameters and running statistics train too (without penalty),
    /// their allocated values kept in `sourceCopies` for the source model.
    public func calibrated(on target: Dataset, loss: Loss, schedule: TrainingSchedule, lambda: PenaltyStrength,
                           freedom: TargetFreedom = .prunedWeights,
                           rng: inout RandomGenerator) throws(TrainingError) -> PACNetModel {
        // The general case is a chain: the source plus one added task, owning every pruned entry.
        let chain = try TaskChain(allocated: self).adding(TaskSide.target.rawValue, on: target, loss: loss, schedule: schedule,
                                                          lambda: lambda, freedom: freedom, head: targetHead, rng: &rng)
        return PACNetModel(network: chain.network, masks: masks, sourceCopies: chain.copies[0], targetHead: targetHead)
    }

    /// The source model: a copy of the network with pruned entries zeroed and the source's own
    /// copies (if any) loaded back.
    public func sourceModel() -> Network {
        let view = network.clone()
        masks.zeroPruned(in: view)
        sourceCopies.load(into: view)
        TaskHeads.select(.source, in: view)
        return view
    }

    /// The target model: the whole network.
    public var targetModel: Network { network }
}
