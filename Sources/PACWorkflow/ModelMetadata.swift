import PACIO
import PACNN
import PACNet

/// The `pacnet.*` metadata of a model file, read without trusting it: each field is parsed and
/// checked against the architecture, the stage, the loss and the other fields before anything
/// uses it, so a file can never hand the network a vector of the wrong length or a meaningless
/// statistic. Every problem is one `WorkflowError` line `<file>: metadata <key>: <problem>`.
/// Fields other tools leave out (a PyTorch file has none) get their defaults.
struct ModelMetadata {
    /// The version `ModelFile` writes and reads.
    static let version = "1"
    /// Every `pacnet.*` key a model file may hold.
    static let keys = [
        "pacnet.version", "pacnet.architecture", "pacnet.stage", "pacnet.tasks", "pacnet.loss", "pacnet.features",
        "pacnet.targets", "pacnet.target_task_targets", "pacnet.standardization", "pacnet.image_size", "pacnet.ratio",
        "pacnet.lambda", "pacnet.target_learning_rate", "pacnet.chain", "pacnet.chain_reading",
    ]

    let values: [String: String]
    /// The file's name, for messages.
    let file: String

    init(_ values: [String: String], file: String) {
        self.values = values
        self.file = file
    }

    func error(_ key: String, _ problem: String) -> WorkflowError {
        WorkflowError("\(file): metadata \(WorkflowError.shown(key)): \(problem)")
    }

    /// No unknown `pacnet.*` key (a misspelt key would otherwise be silently ignored) and a
    /// version this code reads.
    func checkKeys() throws(WorkflowError) {
        if let unknown = values.keys.filter({ $0.hasPrefix("pacnet.") && !Self.keys.contains($0) }).min() {
            throw error(unknown, "unknown key (a model file's are \(Self.keys.joined(separator: ", ")))")
        }
        if let version = values["pacnet.version"], version != Self.version {
            throw error("pacnet.version", "version \(WorkflowError.quoted(version)) is not supported (this pacnet reads version \(Self.version))")
        }
    }

    func architecture() throws(WorkflowError) -> Architecture {
        guard let text = values["pacnet.architecture"] else {
            throw WorkflowError("\(file) does not say its architecture (no pacnet.architecture metadata); pass --arch, e.g. --arch mlp:10-100-1:relu")
        }
        do { return try Architecture(parsing: text) } catch { throw self.error("pacnet.architecture", error.description) }
    }

    /// The stage, which must agree with the masks: none before pruning, some from pruning on.
    /// Files without one (PyTorch's) are `trained` without masks and `allocated` with them.
    func stage(firstMask: String?) throws(WorkflowError) -> PACNetStage {
        guard let text = values["pacnet.stage"] else { return firstMask == nil ? .trained : .allocated }
        guard let stage = PACNetStage(rawValue: text) else {
            throw error("pacnet.stage", "unknown stage \(WorkflowError.quoted(text)) (expected \(Self.alternatives(PACNetStage.allCases.map(\.rawValue))))")
        }
        if stage == .trained, let firstMask {
            throw error("pacnet.stage", "stage 'trained' has no masks, but the file holds the mask \(WorkflowError.quoted(firstMask))")
        }
        if stage != .trained && firstMask == nil {
            throw error("pacnet.stage", "stage '\(stage.rawValue)' needs masks, but the file holds no '<parameter>_mask' tensor")
        }
        return stage
    }

    /// `pacnet.tasks`, if present, lists exactly the tasks the stage serves, then those of `pacnet.chain`.
    func checkTasks(stage: PACNetStage, chain: [ChainTaskRecord]) throws(WorkflowError) {
        let expected = (stage.sides.map(\.rawValue) + chain.map(\.name)).joined(separator: ",")
        guard let text = values["pacnet.tasks"], text != expected else { return }
        throw error("pacnet.tasks", "\(WorkflowError.quoted(text)) disagrees with stage '\(stage.rawValue)'\(chain.isEmpty ? ", which serves" : " and pacnet.chain, which serve") \(expected)")
    }

    /// Which entries the targets of a chain read (`pacnet.chain_reading`; `nested` when absent).
    func chainReading() throws(WorkflowError) -> ChainReading {
        guard let text = values["pacnet.chain_reading"] else { return .earlierTasks }
        guard let reading = ChainReading(rawValue: text) else {
            throw error("pacnet.chain_reading", "\(WorkflowError.quoted(text)) is not \(Self.alternatives(ChainReading.allCases.map(\.rawValue)))")
        }
        return reading
    }

    /// The targets added after the first (`pacnet.chain`): a JSON list of objects with a new,
    /// valid `name`, a `lambda`, optionally `targets` (the task's output names) and
    /// `learning_rate`, and a `freedom`. Only a calibrated file has them.
    func chain(architecture: Architecture, loss: Loss, stage: PACNetStage) throws(WorkflowError) -> [ChainTaskRecord] {
        let key = "pacnet.chain"
        guard let text = values[key] else { return [] }
        guard let value = SafetensorsJSONValue(parsing: text), case .array(let elements) = value else {
            throw error(key, "\(WorkflowError.quoted(text)) is not a JSON list of task objects")
        }
        guard stage == .calibrated else { throw error(key, "stage '\(stage.rawValue)' is not calibrated, so it has no added tasks") }
        var records: [ChainTaskRecord] = []
        for (index, element) in elements.enumerated() {
            let position = "task \(index + 1) of \(elements.count)"
            guard case .object(let fields) = element else { throw error(key, "\(position) is not a JSON object") }
            var name: String?, targets: [String]?, lambda: PenaltyStrength?, rate: LearningRate?, freedom: TargetFreedom?
            for (field, value) in fields {
                switch (field, value) {
                case ("name", .string(let text)): name = text
                case ("targets", .array(let items)):
                    targets = []
                    for item in items {
                        guard case .string(let target) = item, !target.isEmpty, !targets!.contains(target) else {
                            throw error(key, "\(position): targets must be distinct, non-empty strings")
                        }
                        targets!.append(target)
                    }
                case ("lambda", .number(let text)): lambda = Float(text).flatMap { try? PenaltyStrength($0) }
                case ("learning_rate", .number(let text)): rate = Float(text).flatMap { try? LearningRate($0) }
                case ("freedom", .string(let text)): freedom = TargetFreedom(rawValue: text)
                default: throw error(key, "\(position): unexpected field \(WorkflowError.quoted(field)) or value")
                }
            }
            guard let name else { throw error(key, "\(position) has no name") }
            do { try ChainTaskRecord.checkName(name) } catch { throw self.error(key, "\(position): \(error.description)") }
            guard !records.contains(where: { $0.name == name }) else { throw error(key, "names task \(WorkflowError.quoted(name)) twice") }
            guard let lambda else { throw error(key, "task \(WorkflowError.quoted(name)) has no valid lambda (\(PenaltyStrength.requirement))") }
            guard fields.allSatisfy({ $0.key != "learning_rate" }) || rate != nil else {
                throw error(key, "task \(WorkflowError.quoted(name)) has an invalid learning_rate (\(LearningRate.requirement))")
            }
            guard let freedom else {
                throw error(key, "task \(WorkflowError.quoted(name)) has no freedom (\(TargetFreedom.allCases.map(\.rawValue).joined(separator: " or ")))")
            }
            if let targets {
                try checkOutputs(targets, "\(key) task \(WorkflowError.quoted(name))", architecture: architecture, loss: loss,
                                 head: TaskSide.target.head + 1 + index, task: name)
            }
            records.append(ChainTaskRecord(name: name, targets: targets, lambda: lambda, learningRate: rate, freedom: freedom))
        }
        return records
    }

    /// The loss (`mse` when not given); an image architecture learns 0/1 attributes (`bce`).
    func loss(architecture: Architecture) throws(WorkflowError) -> Loss {
        // Files without pacnet metadata (PyTorch's): image models learn 0/1 attributes.
        guard let text = values["pacnet.loss"] else { return architecture.takesImages ? .bce : .mse }
        guard let loss = Loss(rawValue: text) else {
            throw error("pacnet.loss", "unknown loss \(WorkflowError.quoted(text)) (expected \(Self.alternatives(Loss.allCases.map(\.rawValue))))")
        }
        if architecture.takesImages && loss != .bce {
            throw error("pacnet.loss", "architecture \(architecture) learns 0/1 attributes with loss bce, not \(loss.rawValue)")
        }
        return loss
    }

    /// Feature column names: one per input of an MLP; image architectures have none.
    func features(architecture: Architecture) throws(WorkflowError) -> [String]? {
        let key = "pacnet.features"
        guard let names = try names(key) else { return nil }
        if architecture.takesImages { throw error(key, "architecture \(architecture) takes images, which have no feature columns") }
        let width = architecture.inputWidth
        guard names.count == width else {
            throw error(key, "has \(Self.count(names.count, "name")), but the architecture takes \(Self.count(width, "input"))")
        }
        return names
    }

    /// The source task's target names: one per output, or for `ce` the one class column.
    func targets(architecture: Architecture, loss: Loss, features: [String]?) throws(WorkflowError) -> [String]? {
        let key = "pacnet.targets"
        guard let names = try names(key) else { return nil }
        try checkOutputs(names, key, architecture: architecture, loss: loss, head: TaskSide.source.head, task: TaskSide.source.rawValue)
        if let features, let both = names.first(where: features.contains) {
            throw error(key, "\(WorkflowError.quoted(both)) is also a feature column (pacnet.features)")
        }
        return names
    }

    /// The target task's names, recorded by calibration: one per output of the target task, or
    /// for `ce` the one class column.
    func targetTaskTargets(architecture: Architecture, loss: Loss, stage: PACNetStage) throws(WorkflowError) -> [String]? {
        let key = "pacnet.target_task_targets"
        guard let names = try names(key) else { return nil }
        guard stage.sides.contains(.target) else {
            throw error(key, "stage '\(stage.rawValue)' serves only the source task; its target task has no names before calibration")
        }
        try checkOutputs(names, key, architecture: architecture, loss: loss, head: TaskSide.target.head, task: TaskSide.target.rawValue)
        return names
    }

    /// Standardization statistics: an MLP's, with one input statistic per input and target
    /// statistics (one per output) only for regression.
    func standardization(architecture: Architecture, loss: Loss) throws(WorkflowError) -> Standardization? {
        let key = "pacnet.standardization"
        guard let text = values[key] else { return nil }
        let standardization: Standardization
        do { standardization = try Standardization(json: text) } catch { throw self.error(key, error.description) }
        if architecture.takesImages {
            throw error(key, "architecture \(architecture) takes images, which are not standardized (pixels are scaled to [0, 1])")
        }
        let inputs = architecture.inputWidth
        for (field, count) in [("inputMean", standardization.inputMean.count), ("inputStd", standardization.inputStd.count)] where count != inputs {
            throw error(key, "\(field) has \(Self.count(count, "value")), but the architecture takes \(Self.count(inputs, "input"))")
        }
        guard let targetMean = standardization.targetMean, let targetStd = standardization.targetStd else { return standardization }
        guard loss == .mse else {
            throw error(key, "has target statistics, but only regression (loss mse) standardizes targets, not loss \(loss.rawValue)")
        }
        // Every architecture has a source output layer.
        let outputs = architecture.outputWidth(for: .source) ?? 0
        for (field, count) in [("targetMean", targetMean.count), ("targetStd", targetStd.count)] where count != outputs {
            throw error(key, "\(field) has \(Self.count(count, "value")), but the architecture has \(Self.count(outputs, "output"))")
        }
        return standardization
    }

    /// The image size an image architecture was trained on.
    func imageSize(architecture: Architecture) throws(WorkflowError) -> ImageSize? {
        let key = "pacnet.image_size"
        guard let text = values[key] else { return nil }
        guard let size = ImageSize(json: text) else {
            throw error(key, "\(WorkflowError.quoted(text)) is not a JSON [height, width] of positive integers")
        }
        guard architecture.takesImages else { throw error(key, "architecture \(architecture) takes feature rows, not images") }
        return size
    }

    /// The pruning ratio, recorded from pruning on.
    func ratio(stage: PACNetStage) throws(WorkflowError) -> PruningRatio? {
        let key = "pacnet.ratio"
        guard let text = values[key] else { return nil }
        guard let value = Double(text), let ratio = try? PruningRatio(value) else {
            throw error(key, "\(WorkflowError.quoted(text)) is not a pruning ratio \(PruningRatio.requirement)")
        }
        guard stage != .trained else { throw error(key, "stage 'trained' is not pruned, so it has no pruning ratio") }
        return ratio
    }

    /// The penalty strength calibration used.
    func lambda(stage: PACNetStage) throws(WorkflowError) -> PenaltyStrength? {
        try calibrationSetting("pacnet.lambda", "penalty strength", PenaltyStrength.requirement, stage: stage) { (value) throws(SettingError) in
            try PenaltyStrength(value)
        }
    }

    /// The learning rate calibration used, when it was given or selected.
    func targetLearningRate(stage: PACNetStage) throws(WorkflowError) -> LearningRate? {
        try calibrationSetting("pacnet.target_learning_rate", "learning rate", LearningRate.requirement, stage: stage) { (value) throws(SettingError) in
            try LearningRate(value)
        }
    }

    /// A number only a calibrated file records (`what` in messages), built by `make`.
    private func calibrationSetting<Value>(_ key: String, _ what: String, _ requirement: String, stage: PACNetStage,
                                           make: (Float) throws(SettingError) -> Value) throws(WorkflowError) -> Value? {
        guard let text = values[key] else { return nil }
        guard let number = Float(text), let value = try? make(number) else {
            throw error(key, "\(WorkflowError.quoted(text)) is not a \(what) (\(requirement))")
        }
        guard stage == .calibrated else {
            throw error(key, "stage '\(stage.rawValue)' is not calibrated, so it has no calibration \(what)")
        }
        return value
    }

    // MARK: Helpers

    /// A JSON list of distinct, non-empty strings.
    private func names(_ key: String) throws(WorkflowError) -> [String]? {
        guard let text = values[key] else { return nil }
        guard let value = SafetensorsJSONValue(parsing: text), case .array(let elements) = value else {
            throw error(key, "\(WorkflowError.quoted(text)) is not a JSON list of strings")
        }
        var names: [String] = []
        var seen = Set<String>()
        for (index, element) in elements.enumerated() {
            guard case .string(let name) = element else { throw error(key, "\(WorkflowError.quoted(text)) is not a JSON list of strings") }
            guard !name.isEmpty else { throw error(key, "name \(index + 1) of \(elements.count) is empty") }
            guard seen.insert(name).inserted else { throw error(key, "names \(WorkflowError.quoted(name)) twice") }
            names.append(name)
        }
        return names
    }

    /// `mse` and `bce` name every output of `task` (answering through `head`); `ce` names its one class column.
    private func checkOutputs(_ names: [String], _ key: String, architecture: Architecture, loss: Loss, head: Int, task: String) throws(WorkflowError) {
        if loss == .crossEntropy {
            guard names.count == 1 else {
                throw error(key, "has \(Self.count(names.count, "name")), but loss ce has exactly one class column")
            }
            return
        }
        guard let outputs = architecture.outputWidth(forHead: head) else {
            throw error(key, "names the \(task) task's outputs, but the architecture has no head for it")
        }
        guard names.count == outputs else {
            let whose = architecture.takesImages ? " for the \(task) task" : ""
            throw error(key, "has \(Self.count(names.count, "name")), but the architecture has \(Self.count(outputs, "output"))\(whose)")
        }
    }

    /// `1 name`, `3 names`.
    private static func count(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// `a, b or c`.
    private static func alternatives(_ words: [String]) -> String {
        words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " or " + words[words.count - 1]
    }
}
