import Foundation
import PACEngine
import PACIO
import PACNN
import PACNet

/// A model and everything needed to use it, stored as one safetensors file.
///
/// Tensors keep PyTorch-style names (`layers.0.weight`, `backbone.stem.0.weight`, `heads.1.bias`)
/// and hold the network's `stateDict()` (parameters, plus buffers such as running statistics for
/// architectures that have them; loading requires every entry, except a missing
/// `num_batches_tracked`); PAC-Net masks are `<param>_mask` tensors (1 = kept for the source
/// task); a model calibrated with its own biases and normalization (`TargetFreedom.ownBiases`)
/// holds the target's values under the usual names and the source's as `<name>_source`
/// (`layers.0.bias_source`, `backbone.stem.1.running_mean_source`); metadata (`pacnet.*` keys) holds the architecture string, stage, loss, column (or
/// attribute) names of both tasks, standardization statistics, image size, ratio and lambda. The file
/// loads in PyTorch with `safetensors.torch.load_file`. PyTorch `nn.Sequential` files (`0.weight`,
/// `2.bias`, ...) load too, given their architecture.
public struct ModelFile {
    public var architecture: Architecture
    /// The network `architecture` describes: an `MLP` or a `MultiHeadModel<ResNet>`.
    public var network: any Layer
    /// Present from pruning on.
    public var masks: WeightMasks?
    /// The source's own biases, normalization parameters and statistics when the target has
    /// its own (stored as `<name>_source`; calibrated files only).
    public var sourceCopies = SourceCopies.none
    public var stage: PACNetStage
    public var loss: Loss
    public var standardization: Standardization?
    /// Input column names, in order (when trained from a CSV).
    public var features: [String]?
    /// Target column names of the source task.
    public var targets: [String]?
    /// Target column names of the target task (after calibration).
    public var targetTaskTargets: [String]?
    /// The height and width of the images an image model was trained on.
    public var imageSize: ImageSize?
    public var ratio: PruningRatio?
    /// The calibration penalty strength.
    public var lambda: PenaltyStrength?
    /// The calibration learning rate, when given or selected (else the schedule's).
    public var learningRate: LearningRate?
    /// The targets added after the first (`pacnet calibrate --task`), in order: a chain of
    /// tasks on one network (`TaskChain`). Empty for PAC-Net's two tasks.
    public var chainTasks: [ChainTaskRecord] = []
    /// Which other tasks' entries each target of a chain reads (`pacnet.chain_reading`).
    public var chainReading = ChainReading.earlierTasks
    /// Which task owns each masked entry, for a chain (stored as `<param>_task`: 0 the source,
    /// 1 the target, 2 the first added task, ...). Nil for two tasks, whose masks say it.
    public var ownership: TaskOwnership?
    /// The own biases, normalization parameters and statistics of targets before the last, by
    /// task name (stored as `<name>_<task>`), when a later task trained its own.
    public var targetCopies: [String: SourceCopies] = [:]
    /// Metadata keys of other tools, kept as they are.
    public var extraMetadata: [String: String] = [:]

    public init(architecture: Architecture, network: any Layer, stage: PACNetStage, loss: Loss) {
        self.architecture = architecture
        self.network = network
        self.stage = stage
        self.loss = loss
    }

    /// The network for `task`: masked (pruned entries zeroed) for the source task, whole for the
    /// target; a multi-head network answers through the task's head.
    public func model(for task: TaskSide) throws(WorkflowError) -> any Layer {
        guard stage.sides.contains(task) else {
            throw WorkflowError("this model is at stage '\(stage.rawValue)' and serves only the source task; calibrate it for the target task")
        }
        guard chainTasks.isEmpty else { return chainModel(for: task.head) }
        return Self.view(network, masks: masks, sourceCopies: sourceCopies, task: task)
    }

    /// The names of `task`'s outputs, if known. The target task of a single-output network shares
    /// the source's outputs and so, unless calibration recorded its own, the source's names; a
    /// multi-head network's target head has attributes of its own.
    public func outputNames(for task: TaskSide) -> [String]? {
        guard task == .target else { return targets }
        return targetTaskTargets ?? (TaskHeads.isMultiTask(network) ? nil : targets)
    }

    private static func view<Network: Layer>(_ network: Network, masks: WeightMasks?, sourceCopies: SourceCopies,
                                             task: TaskSide) -> any Layer {
        if task == .source, let masks { return PACNetModel(network: network, masks: masks, sourceCopies: sourceCopies).sourceModel() }
        guard TaskHeads.isMultiTask(network) else { return network }
        // A copy, so selecting a head never changes the stored network.
        let view = network.clone()
        TaskHeads.select(task, in: view)
        return view
    }

    // MARK: Saving

    /// The safetensors representation.
    public var safetensors: SafetensorsFile {
        let stored = architecture.fileName
        var tensors = network.stateDict().map { (name: stored($0.name), tensor: $0.value) }
        for (name, mask) in masks?.masks ?? [] { tensors.append((stored(name) + "_mask", mask)) }
        for (name, value) in sourceCopies.values { tensors.append((stored(name) + Self.sourceCopySuffix, value)) }
        for (name, owner) in ownership?.owners ?? [] { tensors.append((stored(name) + Self.ownerSuffix, owner)) }
        for task in taskNames.dropFirst() {
            for (name, value) in targetCopies[task]?.values ?? [] { tensors.append((stored(name) + "_" + task, value)) }
        }
        var metadata = extraMetadata
        metadata["format"] = "pt"
        metadata["pacnet.version"] = ModelMetadata.version
        metadata["pacnet.architecture"] = architecture.description
        metadata["pacnet.stage"] = stage.rawValue
        metadata["pacnet.tasks"] = taskNames.joined(separator: ",")
        if !chainTasks.isEmpty {
            metadata["pacnet.chain"] = ChainTaskRecord.json(chainTasks)
            metadata["pacnet.chain_reading"] = chainReading.rawValue
        }
        metadata["pacnet.loss"] = loss.rawValue
        if let standardization { metadata["pacnet.standardization"] = standardization.json }
        if let features { metadata["pacnet.features"] = ModelFile.jsonList(features) }
        if let targets { metadata["pacnet.targets"] = ModelFile.jsonList(targets) }
        if let targetTaskTargets { metadata["pacnet.target_task_targets"] = ModelFile.jsonList(targetTaskTargets) }
        if let imageSize { metadata["pacnet.image_size"] = imageSize.json }
        if let ratio { metadata["pacnet.ratio"] = "\(ratio)" }
        if let lambda { metadata["pacnet.lambda"] = "\(lambda)" }
        if let learningRate { metadata["pacnet.target_learning_rate"] = "\(learningRate)" }
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    /// Writes the file atomically; an existing file is replaced only with `overwrite`.
    public func save(to path: String, overwrite: Bool) throws(WorkflowError) {
        do { try safetensors.write(to: path, overwrite: overwrite) } catch { throw WorkflowError(error) }
    }

    // MARK: Loading

    /// Reads a model file. `architecture` overrides (or supplies) the architecture, as needed for
    /// files written by PyTorch.
    public static func load(path: String, architecture override: Architecture? = nil) throws(WorkflowError) -> ModelFile {
        let file: SafetensorsFile
        do { file = try SafetensorsFile.read(path: path) } catch { throw WorkflowError(error) }
        return try decode(file, path: path, architecture: override)
    }

    /// Reads a model file whose architecture `text` gives (`--arch`): a ResNet's parts left out
    /// (`resnet18` without `:heads=`) come from the file's tensors, its input channels from the
    /// stem convolution and its heads' widths from `fc.weight`/`heads.<k>.weight` (see
    /// `ResNetArchitecture.defaults(in:)`).
    public static func load(path: String, architectureText text: String) throws(WorkflowError) -> ModelFile {
        let file: SafetensorsFile
        do { file = try SafetensorsFile.read(path: path) } catch { throw WorkflowError(error) }
        let architecture = try Architecture(parsing: text, imageDefaults: ResNetArchitecture.defaults(in: file))
        return try decode(file, path: path, architecture: architecture)
    }

    /// Builds the model a file describes, trusting nothing in it: the architecture must fit the
    /// tensors (and is not built larger than the file), every tensor must have its shape and be
    /// finite, masks must be 0/1 and leave entries for both tasks, and every `pacnet.*` metadata
    /// field must parse and agree with the architecture, the stage, the loss and the other
    /// fields (see `ModelMetadata`). Every problem is a one-line `WorkflowError` naming the file.
    static func decode(_ file: SafetensorsFile, path: String, architecture override: Architecture?) throws(WorkflowError) -> ModelFile {
        let name = (path as NSString).lastPathComponent
        let metadata = ModelMetadata(file.metadata, file: name)
        try metadata.checkKeys()
        let architecture: Architecture
        if let override { architecture = override } else { architecture = try metadata.architecture() }
        if case .resnet(let resnet) = architecture, resnet.preset != nil,
           let third = file.names.first(where: TorchvisionNames.isBottleneckEntry) {
            throw WorkflowError("\(name): unexpected tensor \(WorkflowError.quoted(third)): a bottleneck block's third convolution "
                + "(ResNet-50/101/152), but architecture \(architecture) has basic blocks (torchvision's resnet18 and resnet34)")
        }
        // An architecture string can ask for any size; one the file cannot hold is not built.
        let storedValues = file.tensors.reduce(0) { $0 + $1.tensor.count }
        guard architecture.parameterCount(atMost: storedValues) != nil else {
            // A torchvision layout has a bounded backbone, so the first tensor it lacks can be named.
            if case .resnet(let resnet) = architecture, let preset = resnet.preset {
                var rng = RandomGenerator(seed: 0)
                let backbone = ResNetArchitecture(preset: preset, channels: resnet.channels, headOutputs: [1]).makeNetwork(rng: &rng).backbone
                if let absent = backbone.stateDict().lazy.map({ architecture.fileName(for: "backbone." + $0.name) }).first(where: { file[$0] == nil }) {
                    throw WorkflowError("\(name) has no tensor \(WorkflowError.quoted(absent)), which architecture \(architecture) needs")
                }
            }
            let problem = "architecture \(architecture) needs more parameters than the \(storedValues) values the file holds"
            throw override == nil ? metadata.error("pacnet.architecture", problem) : WorkflowError("\(name): \(problem)")
        }
        var rng = RandomGenerator(seed: 0)
        let network = architecture.makeNetwork(rng: &rng)
        // PyTorch nn.Sequential files name parameters without the `layers.` prefix.
        let omitted = architecture.sequentialPrefix.flatMap { prefix in file.names.allSatisfy { !$0.hasPrefix(prefix) } ? prefix : nil }
        func storedName(_ entryName: String) -> String {
            omitted.map { String(entryName.dropFirst($0.count)) } ?? architecture.fileName(for: entryName)
        }
        var used = Set<String>()
        var state: [String: Tensor] = [:]
        // Parameters and buffers (batch-normalization statistics, if the architecture has any).
        for (entryName, current) in network.stateDict() {
            let stored = storedName(entryName)
            guard let tensor = file[stored] else {
                if Buffer.mayBeMissing(entryName) && network.buffer(named: entryName) != nil { continue }
                throw WorkflowError("\(name) has no tensor \(WorkflowError.quoted(stored)), which architecture \(architecture) needs")
            }
            guard tensor.shape == current.shape else {
                throw WorkflowError("\(name): tensor \(WorkflowError.quoted(stored)) has shape \(tensor.shape), but architecture \(architecture) needs \(current.shape)")
            }
            guard tensor.isFinite else { throw WorkflowError("\(name): tensor \(WorkflowError.quoted(stored)) contains NaN or infinite values") }
            if entryName.hasSuffix("running_var"), network.buffer(named: entryName) != nil, !tensor.allSatisfy({ $0 >= 0 }) {
                throw WorkflowError("\(name): tensor \(WorkflowError.quoted(stored)) holds a negative variance")
            }
            state[entryName] = tensor
            used.insert(stored)
        }
        do { try network.loadStateDict(state) } catch { throw WorkflowError("\(name): \(error)") }

        var masks: [(name: String, mask: Tensor)] = []
        var firstMask: String?
        for (parameterName, parameter) in network.namedParameters() {
            let stored = storedName(parameterName) + "_mask"
            guard let mask = file[stored] else { continue }
            guard mask.shape == parameter.shape, mask.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw WorkflowError("\(name): mask \(WorkflowError.quoted(stored)) must have shape \(parameter.shape) and hold only 0 and 1")
            }
            masks.append((parameterName, mask))
            firstMask = firstMask ?? stored
            used.insert(stored)
        }
        // The tasks of a chain, in order (`pacnet.chain` adds targets after the first).
        let stage = try metadata.stage(firstMask: firstMask)
        let loss = try metadata.loss(architecture: architecture)
        let chainTasks = try metadata.chain(architecture: architecture, loss: loss, stage: stage)
        try metadata.checkTasks(stage: stage, chain: chainTasks)
        if chainTasks.isEmpty, metadata.values["pacnet.chain_reading"] != nil {
            throw metadata.error("pacnet.chain_reading", "the file has no added tasks (pacnet.chain) whose reading it could describe")
        }
        let taskNames = stage.sides.map(\.rawValue) + chainTasks.map(\.name)
        // Own copies of biases, normalization parameters and statistics: the source's
        // (`_source`) and those of targets before the last (`_<task>`), checked like the entries.
        var copies: [String: [(name: String, value: Tensor)]] = [:]
        // (A file before calibration has no copies; one claiming a source copy is refused below.)
        for task in stage == .calibrated ? Array(taskNames.dropLast()) : [TaskSide.source.rawValue] {
            for (entryName, current) in network.stateDict() {
                let stored = storedName(entryName) + "_" + task
                guard let tensor = file[stored] else { continue }
                let quoted = WorkflowError.quoted(stored)
                guard network.parameter(named: entryName)?.role != .weight else {
                    throw WorkflowError("\(name): \(quoted) is a \(task) copy of a weight; only biases, normalization parameters and statistics have one")
                }
                guard tensor.shape == current.shape else {
                    throw WorkflowError("\(name): tensor \(quoted) has shape \(tensor.shape), but \(WorkflowError.quoted(storedName(entryName))) has \(current.shape)")
                }
                guard tensor.isFinite else { throw WorkflowError("\(name): tensor \(quoted) contains NaN or infinite values") }
                if entryName.hasSuffix("running_var"), !tensor.allSatisfy({ $0 >= 0 }) {
                    throw WorkflowError("\(name): tensor \(quoted) holds a negative variance")
                }
                copies[task, default: []].append((entryName, tensor))
                used.insert(stored)
            }
        }
        // A chain's owners: one per masked weight, integers naming a task.
        var owners: [(name: String, owner: Tensor)] = []
        for (parameterName, mask) in masks {
            let stored = storedName(parameterName) + ownerSuffix
            guard let owner = file[stored] else {
                guard chainTasks.isEmpty else { throw WorkflowError("\(name) has no tensor \(WorkflowError.quoted(stored)), which a model of \(taskNames.count) tasks needs") }
                continue
            }
            guard !chainTasks.isEmpty else {
                throw WorkflowError("\(name): tensor \(WorkflowError.quoted(stored)) assigns entries to tasks, but the file has no added tasks (pacnet.chain)")
            }
            guard owner.shape == mask.shape,
                  zip(owner.scalars, mask.scalars).allSatisfy({ o, m in o == o.rounded() && o >= 0 && Int(o) < taskNames.count && (o == 0) == (m == 1) }) else {
                throw WorkflowError("\(name): tensor \(WorkflowError.quoted(stored)) must have shape \(mask.shape) and hold task numbers "
                    + "0...\(taskNames.count - 1), 0 exactly where the mask keeps the entry for the source")
            }
            owners.append((parameterName, owner))
            used.insert(stored)
        }
        if let unexpected = file.names.first(where: { !used.contains($0) }) {
            throw WorkflowError("\(name): unexpected tensor \(WorkflowError.quoted(unexpected)) for architecture \(architecture)")
        }

        var model = ModelFile(architecture: architecture, network: network, stage: stage, loss: loss)
        if !masks.isEmpty {
            // Checked above: only 0 and 1, so this initializer's precondition holds.
            let weightMasks = WeightMasks(masks)
            // Pruning freed some entries for the target task and kept some for the source.
            guard weightMasks.keptCount > 0 && weightMasks.prunedCount > 0 else {
                throw WorkflowError("\(name): the masks keep \(weightMasks.keptCount) of \(weightMasks.totalCount) entries, "
                    + "but a model at stage '\(stage.rawValue)' keeps some for the source task and frees some for the target task")
            }
            model.masks = weightMasks
        }
        if let (task, entries) = copies.first(where: { !$0.value.isEmpty }) {
            guard stage == .calibrated, model.masks != nil else {
                throw WorkflowError("\(name): tensors such as \(WorkflowError.quoted(storedName(entries[0].name) + "_" + task)) hold a \(task) copy, "
                    + "which only a calibrated model with masks has (this one is at stage '\(stage.rawValue)'\(model.masks == nil ? " without masks" : ""))")
            }
            model.sourceCopies = SourceCopies(copies[TaskSide.source.rawValue] ?? [])
            for task in taskNames.dropFirst() { if let entries = copies[task] { model.targetCopies[task] = SourceCopies(entries) } }
        }
        // A ResNet has a head per task: one or two before calibration (a transfer adds the
        // target's), exactly one per task after.
        if case .resnet(let resnet) = architecture, stage == .calibrated ? resnet.headOutputs.count != taskNames.count : resnet.headOutputs.count > 2 {
            throw WorkflowError("\(name): architecture \(architecture) has \(resnet.headOutputs.count) heads, but the file serves \(taskNames.count) task\(taskNames.count == 1 ? "" : "s") (\(taskNames.joined(separator: ", ")))"
                + (stage == .calibrated ? "" : "; a model before calibration has a source head and at most a target head"))
        }
        if !chainTasks.isEmpty {
            let ownership = TaskOwnership(owners)
            if let idle = taskNames.indices.first(where: { ownership.count(ownedBy: $0) == 0 }) {
                throw WorkflowError("\(name): task \(WorkflowError.quoted(taskNames[idle])) owns no entry of the network (tensors '<parameter>\(ownerSuffix)')")
            }
            model.ownership = ownership
            model.chainTasks = chainTasks
            model.chainReading = try metadata.chainReading()
        }
        model.features = try metadata.features(architecture: architecture)
        model.targets = try metadata.targets(architecture: architecture, loss: loss, features: model.features)
        model.targetTaskTargets = try metadata.targetTaskTargets(architecture: architecture, loss: loss, stage: stage)
        model.standardization = try metadata.standardization(architecture: architecture, loss: loss)
        model.imageSize = try metadata.imageSize(architecture: architecture)
        model.ratio = try metadata.ratio(stage: stage)
        model.lambda = try metadata.lambda(stage: stage)
        model.learningRate = try metadata.targetLearningRate(stage: stage)
        model.extraMetadata = file.metadata.filter { !$0.key.hasPrefix("pacnet.") && $0.key != "format" }
        return model
    }

    /// The suffix of a source copy's tensor name (`layers.0.bias_source`).
    public static let sourceCopySuffix = "_source"
    /// The suffix of the tensor naming each entry's owning task in a chain (`layers.0.weight_task`).
    public static let ownerSuffix = "_task"

    static func jsonList(_ names: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: names)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
