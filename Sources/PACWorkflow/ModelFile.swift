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
/// task); metadata (`pacnet.*` keys) holds the architecture string, stage, loss, column (or
/// attribute) names of both tasks, standardization statistics, image size, ratio and lambda. The file
/// loads in PyTorch with `safetensors.torch.load_file`. PyTorch `nn.Sequential` files (`0.weight`,
/// `2.bias`, ...) load too, given their architecture.
public struct ModelFile {
    public var architecture: Architecture
    /// The network `architecture` describes: an `MLP` or a `MultiHeadModel<ResNet>`.
    public var network: any Layer
    /// Present from pruning on.
    public var masks: WeightMasks?
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
        return Self.view(network, masks: masks, task: task)
    }

    /// The names of `task`'s outputs, if known. The target task of a single-output network shares
    /// the source's outputs and so, unless calibration recorded its own, the source's names; a
    /// multi-head network's target head has attributes of its own.
    public func outputNames(for task: TaskSide) -> [String]? {
        guard task == .target else { return targets }
        return targetTaskTargets ?? (TaskHeads.isMultiTask(network) ? nil : targets)
    }

    private static func view<Network: Layer>(_ network: Network, masks: WeightMasks?, task: TaskSide) -> any Layer {
        if task == .source, let masks { return PACNetModel(network: network, masks: masks).sourceModel() }
        guard TaskHeads.isMultiTask(network) else { return network }
        // A copy, so selecting a head never changes the stored network.
        let view = network.clone()
        TaskHeads.select(task, in: view)
        return view
    }

    // MARK: Saving

    /// The safetensors representation.
    public var safetensors: SafetensorsFile {
        var tensors = network.stateDict().map { (name: $0.name, tensor: $0.value) }
        for (name, mask) in masks?.masks ?? [] { tensors.append((name + "_mask", mask)) }
        var metadata = extraMetadata
        metadata["format"] = "pt"
        metadata["pacnet.version"] = "1"
        metadata["pacnet.architecture"] = architecture.description
        metadata["pacnet.stage"] = stage.rawValue
        metadata["pacnet.tasks"] = stage.sides.map(\.rawValue).joined(separator: ",")
        metadata["pacnet.loss"] = loss.rawValue
        if let standardization { metadata["pacnet.standardization"] = standardization.json }
        if let features { metadata["pacnet.features"] = ModelFile.jsonList(features) }
        if let targets { metadata["pacnet.targets"] = ModelFile.jsonList(targets) }
        if let targetTaskTargets { metadata["pacnet.target_task_targets"] = ModelFile.jsonList(targetTaskTargets) }
        if let imageSize { metadata["pacnet.image_size"] = imageSize.json }
        if let ratio { metadata["pacnet.ratio"] = "\(ratio)" }
        if let lambda { metadata["pacnet.lambda"] = "\(lambda)" }
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

    static func decode(_ file: SafetensorsFile, path: String, architecture override: Architecture?) throws(WorkflowError) -> ModelFile {
        let name = (path as NSString).lastPathComponent
        let metadata = file.metadata
        let architecture: Architecture
        if let override {
            architecture = override
        } else if let text = metadata["pacnet.architecture"] {
            architecture = try Architecture(parsing: text)
        } else {
            throw WorkflowError("\(name) does not say its architecture (no pacnet.architecture metadata); pass --arch, e.g. --arch mlp:10-100-1:relu")
        }
        var rng = RandomGenerator(seed: 0)
        let network = architecture.makeNetwork(rng: &rng)
        // PyTorch nn.Sequential files name parameters without the `layers.` prefix.
        let omitted = architecture.sequentialPrefix.flatMap { prefix in file.names.allSatisfy { !$0.hasPrefix(prefix) } ? prefix : nil }
        func storedName(_ entryName: String) -> String { omitted.map { String(entryName.dropFirst($0.count)) } ?? entryName }
        var used = Set<String>()
        var state: [String: Tensor] = [:]
        // Parameters and buffers (batch-normalization statistics, if the architecture has any).
        for (entryName, current) in network.stateDict() {
            let stored = storedName(entryName)
            guard let tensor = file[stored] else {
                if Buffer.mayBeMissing(entryName) && network.buffer(named: entryName) != nil { continue }
                throw WorkflowError("\(name) has no tensor '\(stored)', which architecture \(architecture) needs")
            }
            guard tensor.shape == current.shape else {
                throw WorkflowError("\(name): tensor '\(stored)' has shape \(tensor.shape), but architecture \(architecture) needs \(current.shape)")
            }
            guard tensor.isFinite else { throw WorkflowError("\(name): tensor '\(stored)' contains NaN or infinite values") }
            state[entryName] = tensor
            used.insert(stored)
        }
        do { try network.loadStateDict(state) } catch { throw WorkflowError("\(name): \(error)") }

        var masks: [(name: String, mask: Tensor)] = []
        for (parameterName, parameter) in network.namedParameters() {
            let stored = storedName(parameterName) + "_mask"
            guard let mask = file[stored] else { continue }
            guard mask.shape == parameter.shape, mask.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw WorkflowError("\(name): mask '\(stored)' must have shape \(parameter.shape) and hold only 0 and 1")
            }
            masks.append((parameterName, mask))
            used.insert(stored)
        }
        if let unexpected = file.names.first(where: { !used.contains($0) }) {
            throw WorkflowError("\(name): unexpected tensor '\(unexpected)' for architecture \(architecture)")
        }

        let stage: PACNetStage
        if let text = metadata["pacnet.stage"] {
            guard let parsed = PACNetStage(rawValue: text) else { throw WorkflowError("\(name): unknown stage '\(text)'") }
            stage = parsed
        } else {
            stage = masks.isEmpty ? .trained : .allocated
        }
        if stage != .trained && masks.isEmpty { throw WorkflowError("\(name): stage '\(stage.rawValue)' but the file has no masks") }
        let loss: Loss
        if let text = metadata["pacnet.loss"] {
            guard let parsed = Loss(rawValue: text) else { throw WorkflowError("\(name): unknown loss '\(text)'") }
            loss = parsed
        } else {
            loss = .mse
        }
        var model = ModelFile(architecture: architecture, network: network, stage: stage, loss: loss)
        model.masks = masks.isEmpty ? nil : WeightMasks(masks)
        if let json = metadata["pacnet.standardization"] { model.standardization = try Standardization(json: json) }
        model.features = try metadata["pacnet.features"].map { (text) throws(WorkflowError) in try parseList(text, name) }
        model.targets = try metadata["pacnet.targets"].map { (text) throws(WorkflowError) in try parseList(text, name) }
        model.targetTaskTargets = try metadata["pacnet.target_task_targets"].map { (text) throws(WorkflowError) in try parseList(text, name) }
        model.imageSize = try metadata["pacnet.image_size"].map { (text) throws(WorkflowError) in try ImageSize(json: text, file: name) }
        model.ratio = try metadata["pacnet.ratio"].map { (text) throws(WorkflowError) in
            guard let value = Double(text), let ratio = try? PruningRatio(value) else {
                throw WorkflowError("\(name): metadata pacnet.ratio '\(text)' is not a pruning ratio \(PruningRatio.requirement)")
            }
            return ratio
        }
        model.lambda = try metadata["pacnet.lambda"].map { (text) throws(WorkflowError) in
            guard let value = Float(text), let lambda = try? PenaltyStrength(value) else {
                throw WorkflowError("\(name): metadata pacnet.lambda '\(text)' is not a penalty strength (\(PenaltyStrength.requirement))")
            }
            return lambda
        }
        model.extraMetadata = metadata.filter { !$0.key.hasPrefix("pacnet.") && $0.key != "format" }
        return model
    }

    static func jsonList(_ names: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: names)) ?? Data("[]".utf8), as: UTF8.self)
    }

    private static func parseList(_ text: String, _ file: String) throws(WorkflowError) -> [String] {
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            throw WorkflowError("\(file): metadata list '\(text)' is not a JSON array of strings")
        }
        return list
    }
}
