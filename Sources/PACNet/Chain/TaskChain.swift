import PACEngine
import PACNN

/// Several tasks on one network: PAC-Net's prune -> allocate -> calibrate continued in turn, as
/// PackNet (Mallya & Lazebnik, CVPR 2018) packs tasks by pruning and freezing.
///
/// Task 0 is the source, task 1 the first target, task k the k-th. Every prunable entry is owned
/// by one task or free (`TaskOwnership`):
/// - **Models.** Task k's model is the network with every entry of a later task (and every free
///   entry) zeroed, its own copies of biases, normalization parameters and statistics loaded
///   (if it has them) and, in a multi-task network, head k selected. Task k reads the entries of
///   every earlier task (nested masks), as in PackNet.
/// - **Adding** a task (`adding`) is PAC-Net's calibration on the free entries: they train with
///   `lambda * sum w_free^2`, together with the new task's head (and with `.ownBiases` every bias
///   and normalization parameter, after their current values are kept as copies for the earlier
///   tasks that read them); every other entry, head and statistic is frozen. The new task owns
///   every free entry.
/// - **Releasing** (`released`) makes room for the next task: the last task keeps the largest
///   `keep` fraction of its entries, the rest are zeroed and freed, and the last task is
///   re-allocated on its data with the freed entries held at zero (PAC-Net's allocation, for a
///   target).
///
/// With `ChainReading.sourceOnly` a target reads only the source's entries and its own (each
/// target is then a two-task PAC-Net model on a share of the entries); a task trains in a copy
/// where the entries it does not read are zero, and they are put back afterwards.
///
/// Invariant: adding or releasing never changes the model of an earlier task: after each step,
/// tasks `0..<k` predict bit-identically (the released task itself changes once, by its
/// release). A two-task chain is exactly a `PACNetModel` (source = masked, target = whole).
public struct TaskChain<Network: Layer> {
    /// The network; it holds the values of the last task that trained each entry.
    public let network: Network
    /// Task names in order; `names[0]` is the source.
    public let names: [String]
    /// Who owns each prunable entry.
    public let ownership: TaskOwnership
    /// What each task trained (the source's is `.prunedWeights`: it trained everything first).
    public let freedoms: [TargetFreedom]
    /// Each task's own biases, normalization parameters and statistics, where they differ from
    /// the network's (empty: the task reads the network's).
    public let copies: [SourceCopies]
    /// Each task's head in a multi-task network (by default its index).
    public let heads: [Int]
    /// Which other tasks' entries a task reads.
    public let reading: ChainReading

    public init(network: Network, names: [String], ownership: TaskOwnership, freedoms: [TargetFreedom], copies: [SourceCopies],
                heads: [Int]? = nil, reading: ChainReading = .earlierTasks) {
        precondition(names.count == freedoms.count && names.count == copies.count, "one freedom and one copy set per task")
        precondition(heads == nil || heads!.count == names.count, "one head per task")
        self.network = network
        self.names = names
        self.ownership = ownership
        self.freedoms = freedoms
        self.copies = copies
        self.heads = heads ?? Array(names.indices)
        self.reading = reading
    }

    /// The source task of an allocated (or calibrated-before) PAC-Net network: the kept entries
    /// are the source's, the pruned ones free.
    public init(allocated model: PACNetModel<Network>, source: String = TaskSide.source.rawValue, reading: ChainReading = .earlierTasks) {
        self.init(network: model.network, names: [source], ownership: TaskOwnership(masks: model.masks, target: false),
                  freedoms: [.prunedWeights], copies: [model.sourceCopies], reading: reading)
    }

    /// A calibrated PAC-Net network as a chain of two tasks: the target owns every pruned entry.
    public init(calibrated model: PACNetModel<Network>, names: (source: String, target: String) = ("source", "target")) {
        self.init(network: model.network, names: [names.source, names.target],
                  ownership: TaskOwnership(masks: model.masks, target: true),
                  freedoms: [.prunedWeights, model.sourceCopies.isEmpty ? .prunedWeights : .ownBiases],
                  copies: [model.sourceCopies, .none])
    }

    /// The number of tasks.
    public var count: Int { names.count }

    /// Task `task`'s model (a copy): later tasks' and free entries zeroed, its copies loaded, its head selected.
    public func model(for task: Int) -> Network {
        precondition(names.indices.contains(task), "task \(task) of \(names.count)")
        let view = network.clone()
        ownership.reads(task, reading).zeroPruned(in: view)
        copies[task].load(into: view)
        TaskHeads.select(head: heads[task], in: view)
        return view
    }

    /// A copy with task `name` added, calibrated on `data` (see the type's documentation). Needs
    /// free entries (`ownership.freeCount > 0`), a new name and, in a multi-task network, a head
    /// for the new task: `head`, by default the next index (`count`).
    public func adding(_ name: String, on data: Dataset, loss: Loss, schedule: TrainingSchedule, lambda: PenaltyStrength,
                       freedom: TargetFreedom = .prunedWeights, head: Int? = nil,
                       rng: inout RandomGenerator) throws(TrainingError) -> TaskChain {
        let task = count
        let head = head ?? task
        precondition(ownership.freeCount > 0, "no free entries for task '\(name)'")
        precondition(!names.contains(name), "task '\(name)' exists")
        let network = self.network.clone()
        let hidden = ownership.hidden(from: task, reading)
        hidden.inverted().zeroPruned(in: network)
        network.parameters().forEach { $0.freeze() }
        let free = ownership.freeMasks
        for (parameter, mask) in free.parameters(of: network) { parameter.updateMask = mask }
        TaskHeads.parameters(ofHead: head, in: network).forEach { $0.unfreeze() }
        var copies = self.copies
        if freedom == .ownBiases {
            // Earlier tasks that read the network's values keep them as their own copies.
            let current = SourceCopies.capture(from: network)
            copies = copies.map { $0.isEmpty ? current : $0 }
            SourceCopies.parameters(in: network).forEach { $0.parameter.unfreeze() }
        }
        TaskHeads.select(head: head, in: network)
        defer { network.parameters().forEach { $0.unfreeze() } }
        try Self.train(network, on: data, loss: loss, schedule: schedule, objective: Self.objective(penalizing: free, in: network, lambda),
                       ownStatistics: freedom == .ownBiases, rng: &rng)
        hidden.restore(in: network, from: self.network)
        return TaskChain(network: network, names: names + [name], ownership: ownership.assigningFree(to: task),
                         freedoms: freedoms + [freedom], copies: copies + [.none], heads: heads + [head], reading: reading)
    }

    /// A copy in which the last task (a target) keeps the `round(keep * n)` largest of its `n`
    /// entries, the rest zeroed and free for the next task, re-allocated on its `data` with the
    /// freed entries held at zero and its calibration objective (`lambda * sum w^2` over its kept
    /// entries). Its head (and its own biases, if it trained them) train too.
    public func released(keeping keep: Double, on data: Dataset, loss: Loss, schedule: TrainingSchedule, lambda: PenaltyStrength,
                         rng: inout RandomGenerator) throws(TrainingError) -> TaskChain {
        let task = count - 1
        precondition(task >= 1, "the source's entries are freed by pruning, not released")
        let ownership = self.ownership.releasing(task, keeping: keep, of: network)
        let network = self.network.clone()
        ownership.reads(task, reading).zeroPruned(in: network)
        network.parameters().forEach { $0.freeze() }
        let owned = ownership.owned(by: task)
        for (parameter, mask) in owned.parameters(of: network) { parameter.updateMask = mask }
        TaskHeads.parameters(ofHead: heads[task], in: network).forEach { $0.unfreeze() }
        if freedoms[task] == .ownBiases { SourceCopies.parameters(in: network).forEach { $0.parameter.unfreeze() } }
        TaskHeads.select(head: heads[task], in: network)
        defer { network.parameters().forEach { $0.unfreeze() } }
        try Self.train(network, on: data, loss: loss, schedule: schedule, objective: Self.objective(penalizing: owned, in: network, lambda),
                       ownStatistics: freedoms[task] == .ownBiases, rng: &rng)
        ownership.hidden(from: task, reading).restore(in: network, from: self.network)
        return TaskChain(network: network, names: names, ownership: ownership, freedoms: freedoms, copies: copies, heads: heads, reading: reading)
    }

    /// PAC-Net's calibration objective: the data loss plus `lambda * sum w^2` over `entries`.
    private static func objective(penalizing entries: WeightMasks, in network: Network, _ lambda: PenaltyStrength) -> Objective {
        guard lambda.value > 0 else { return .dataLoss }
        return .penalized(by: ParameterPenalty(terms: entries.parameters(of: network).map { .masked($0.parameter, mask: $0.mask) }, strength: lambda.value))
    }

    /// Trains with running statistics frozen unless the task has its own.
    private static func train(_ network: Network, on data: Dataset, loss: Loss, schedule: TrainingSchedule, objective: Objective,
                              ownStatistics: Bool, rng: inout RandomGenerator) throws(TrainingError) {
        func run() throws(TrainingError) { _ = try schedule.train(network, on: data, loss: loss, objective: objective, rng: &rng) }
        if ownStatistics { try run() } else { try network.withStatisticsFrozen(run) }
    }
}
