import PACEngine
import PACNN
import PACNet

/// A model file as a chain of tasks (`TaskChain`): the source, the target, then the tasks added
/// with `pacnet calibrate --task` (`chainTasks`).
extension ModelFile {
    /// Every task the file serves, in order: `source`, then `target` once calibrated, then the added tasks.
    public var taskNames: [String] { stage.sides.map(\.rawValue) + chainTasks.map(\.name) }

    /// The index of task `name` (0 the source), or an error naming the file's tasks.
    public func taskIndex(_ name: String) throws(WorkflowError) -> Int {
        if let index = taskNames.firstIndex(of: name) { return index }
        if name == TaskSide.target.rawValue {
            throw WorkflowError("this model is at stage '\(stage.rawValue)' and serves only the source task; calibrate it for the target task")
        }
        throw WorkflowError("the model has no task \(WorkflowError.quoted(name)); its tasks are \(taskNames.joined(separator: ", "))")
    }

    /// Task `name`'s network: the source masked, each target with the entries of later tasks zeroed.
    public func model(forTask name: String) throws(WorkflowError) -> any Layer {
        let index = try taskIndex(name)
        if index < 2, let side = TaskSide(rawValue: name) { return try model(for: side) }
        return chainModel(for: index)
    }

    /// The names of task `name`'s outputs, if known (an MLP's tasks share its outputs' names unless they recorded their own).
    public func outputNames(forTask name: String) -> [String]? {
        if let side = TaskSide(rawValue: name) { return outputNames(for: side) }
        let record = chainTasks.first { $0.name == name }
        return record?.targets ?? (TaskHeads.isMultiTask(network) ? nil : targets)
    }

    /// Entries each task owns, in task order (for `info`); nil before pruning.
    public var ownedCounts: [Int]? {
        guard let masks else { return nil }
        guard stage == .calibrated else { return [masks.keptCount] }
        let ownership = self.ownership ?? TaskOwnership(masks: masks, target: true)
        return taskNames.indices.map { ownership.count(ownedBy: $0) }
    }


    func chainModel(for index: Int) -> any Layer {
        func model<Network: Layer>(_ network: Network) -> any Layer { Self.chain(of: self, network).model(for: index) }
        return model(network)
    }

    /// The chain a calibrated file describes. The first target's freedom is known only while it
    /// is the last task (own copies of the source exist only because of it); that is the only
    /// time `TaskChain` uses it (to release it).
    static func chain<Network: Layer>(of file: ModelFile, _ network: Network) -> TaskChain<Network> {
        let masks = file.masks!
        let names = file.taskNames
        let targetFreedom: TargetFreedom = file.chainTasks.isEmpty && !file.sourceCopies.isEmpty ? .ownBiases : .prunedWeights
        return TaskChain(network: network, names: names,
                         ownership: file.ownership ?? TaskOwnership(masks: masks, target: true),
                         freedoms: [.prunedWeights, targetFreedom] + file.chainTasks.map(\.freedom),
                         copies: [file.sourceCopies] + names.dropFirst().map { file.targetCopies[$0] ?? .none }, reading: file.chainReading)
    }
}
