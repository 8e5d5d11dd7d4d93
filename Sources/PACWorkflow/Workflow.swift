import PACEngine
import PACNN
import PACNet

/// The staged PAC-Net operations on user data and model files, as the `pacnet train`, `prune`,
/// `allocate` and `calibrate` commands run them.
///
/// Every architecture kind goes through the same stages; a multi-head network (`ResNetArchitecture`)
/// trains and scores the source task through head 0 and the target task through head 1
/// (see `PACNetModel` for what each stage trains).
public enum Workflow {
    /// What a training stage reports besides the model.
    public struct TrainingReport: Sendable {
        /// Score on the rows used for training.
        public let training: Score
        /// Score on the held-out validation rows, if any.
        public let validation: Score?
        public let seconds: Double
    }

    /// Trains a new network on source data.
    public static func train(
        data: LabeledData, architecture: Architecture, loss: Loss, options: TrainingOptions, standardize: Bool,
        onStep: ((StepReport) -> Void)? = nil
    ) throws(WorkflowError) -> (ModelFile, TrainingReport) {
        try check(data, fits: architecture, loss: loss)
        if standardize && architecture.takesImages {
            throw WorkflowError("--standardize applies to feature columns; image pixels are already scaled to [0, 1]")
        }
        var initRNG = RandomGenerator(seed: options.seed, stream: "workflow/init")
        var model = ModelFile(architecture: architecture, network: architecture.makeNetwork(rng: &initRNG), stage: .trained, loss: loss)
        let (fit, validation) = split(data, options)
        if standardize {
            model.standardization = Standardization(inputs: fit.inputs, targets: loss == .mse ? fit.targets : nil)
        }
        model.features = architecture.takesImages ? nil : data.featureNames
        model.targets = data.targetNames
        model.imageSize = data.imageSize
        let network = model.network
        let report = try run(model, fit: fit, validation: validation, options: options, stream: "workflow/train", onStep: onStep) { (dataset, rng) throws(TrainingError) -> [Double] in
            TaskHeads.select(TaskHeads.source, in: network)
            return try TrainingSchedule(epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate)
                .train(network, on: dataset, loss: loss, rng: &rng, onStep: onStep)
        }
        return (model, report)
    }

    /// Magnitude-prunes a trained model (a copy).
    public static func prune(_ model: ModelFile, pruning: MagnitudePruning) throws(WorkflowError) -> ModelFile {
        guard model.stage == .trained else {
            throw WorkflowError("the model is already at stage '\(model.stage.rawValue)'; prune a trained (unpruned) model")
        }
        var result = model
        (result.network, result.masks) = Stages.prune(model.network, pruning)
        result.stage = .pruned
        result.ratio = pruning.ratio
        return result
    }

    /// Retrains a pruned model on the source data with pruned weights held at zero.
    public static func allocate(
        _ model: ModelFile, data: LabeledData, options: TrainingOptions, onStep: ((StepReport) -> Void)? = nil
    ) throws(WorkflowError) -> (ModelFile, TrainingReport) {
        guard model.stage == .pruned || model.stage == .allocated, let masks = model.masks else {
            throw WorkflowError("allocation needs a pruned model (stage 'pruned'), got stage '\(model.stage.rawValue)'")
        }
        try check(data, fits: model, task: .source)
        var result = model
        result.network = model.network.clone()
        result.stage = .allocated
        let network = result.network
        let (fit, validation) = split(data, options)
        let report = try run(result, fit: fit, validation: validation, options: options, stream: "workflow/allocate", onStep: onStep) { (dataset, rng) throws(TrainingError) -> [Double] in
            try Stages.allocate(network, masks: masks, on: dataset, loss: model.loss,
                                schedule: TrainingSchedule(epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate),
                                rng: &rng, onStep: onStep)
        }
        return (result, report)
    }

    /// Trains only the pruned weights (and a multi-head network's target head) on the target
    /// data, with `lambda * sum w_pruned^2`.
    public static func calibrate(
        _ model: ModelFile, data: LabeledData, lambda: Float, options: TrainingOptions, onStep: ((StepReport) -> Void)? = nil
    ) throws(WorkflowError) -> (ModelFile, TrainingReport) {
        guard model.stage == .allocated, let masks = model.masks else {
            throw WorkflowError("calibration needs an allocated model (stage 'allocated'), got stage '\(model.stage.rawValue)'")
        }
        guard lambda >= 0, lambda.isFinite else { throw WorkflowError("--lambda must be a finite number >= 0, got \(lambda)") }
        try check(data, fits: model, task: .target)
        var result = model
        result.stage = .calibrated
        result.lambda = lambda
        result.targetTaskTargets = data.targetNames
        let (fit, validation) = split(data, options)
        let schedule = TrainingSchedule(epochs: options.epochs, batchSize: min(options.batchSize, fit.count), learningRate: options.learningRate)
        let normalized = normalize(fit, model.standardization)
        var rng = RandomGenerator(seed: options.seed, stream: "workflow/calibrate")
        let seconds: Double
        do {
            let stopwatch = Stopwatch()
            result.network = try Stages.calibrated(model.network, masks: masks, on: normalized, loss: model.loss, schedule: schedule,
                                                   lambda: lambda, rng: &rng, onStep: onStep)
            seconds = stopwatch.elapsed
        } catch { throw WorkflowError(error) }
        let target = try result.model(for: .target)
        let report = TrainingReport(
            training: Score.of(target, on: fit, loss: model.loss, standardization: model.standardization),
            validation: validation.map { Score.of(target, on: $0, loss: model.loss, standardization: model.standardization) },
            seconds: seconds)
        return (result, report)
    }

    /// Scores a model's `task` network on labelled data.
    public static func evaluate(_ model: ModelFile, data: LabeledData, task: Task) throws(WorkflowError) -> Score {
        let network = try model.model(for: task)
        try check(data, fits: model, task: task)
        return Score.of(network, on: data, loss: model.loss, standardization: model.standardization)
    }

    // MARK: Checks

    /// Checks that data and architecture agree in inputs, loss and (for `task`) outputs.
    public static func check(_ data: LabeledData, fits architecture: Architecture, loss: Loss, task: Task = .source) throws(WorkflowError) {
        let inputFile = data.path ?? "the data", labelFile = data.labelsPath ?? inputFile
        try checkInputs(data.inputs, file: inputFile, featureNames: data.featureNames, fit: architecture)
        if architecture.takesImages && loss != .bce {
            throw WorkflowError("architecture \(architecture) learns 0/1 attributes with --loss bce, not --loss \(loss.rawValue)")
        }
        let outputs = architecture.outputWidth(for: task)
        // A multi-head network has outputs per task; name the task so the head is clear.
        let whose = architecture.takesImages ? " for the \(task.rawValue) task" : ""
        switch loss {
        case .mse, .bce:
            guard data.targets.shape[1] == outputs else {
                throw WorkflowError("architecture \(architecture) has \(outputs) outputs\(whose), but \(labelFile) has \(data.targets.shape[1]) target columns")
            }
        case .crossEntropy:
            let largest = Int(data.targets.max())
            guard largest < outputs else {
                throw WorkflowError("architecture \(architecture) has \(outputs) outputs (classes 0...\(outputs - 1))\(whose), but \(labelFile) has class \(largest)")
            }
        }
    }

    /// Checks that data fit a model: architecture, loss, and the image size it was trained on.
    public static func check(_ data: LabeledData, fits model: ModelFile, task: Task) throws(WorkflowError) {
        try check(data, fits: model.architecture, loss: model.loss, task: task)
        try checkImageSize(data.inputs, file: data.path ?? "the data", fit: model)
    }

    /// Checks that inputs (for prediction) fit a model's architecture and image size.
    public static func checkInputs(_ inputs: Tensor, file: String, featureNames: [String], fit model: ModelFile) throws(WorkflowError) {
        try checkInputs(inputs, file: file, featureNames: featureNames, fit: model.architecture)
        try checkImageSize(inputs, file: file, fit: model)
    }

    /// Checks that the target task's images have the source task's size and channels (one
    /// backbone reads both).
    public static func checkSameImages(source: LabeledData, target: LabeledData) throws(WorkflowError) {
        guard source.inputs.rank == 4, target.inputs.rank == 4, source.inputs.shape.dropFirst() != target.inputs.shape.dropFirst() else { return }
        func describe(_ data: LabeledData) -> String { "\(data.imageSize!) images with \(data.inputs.shape[1]) channels" }
        throw WorkflowError("\(target.path ?? "the target data") holds \(describe(target)), but \(source.path ?? "the source data") holds \(describe(source)); source and target images must match in size and channels")
    }

    private static func checkInputs(_ inputs: Tensor, file: String, featureNames: [String], fit architecture: Architecture) throws(WorkflowError) {
        let width = architecture.inputWidth
        switch (architecture.takesImages, inputs.rank) {
        case (false, 2):
            guard inputs.shape[1] == width else {
                throw WorkflowError("architecture \(architecture) takes \(width) inputs, but \(file) has \(inputs.shape[1]) feature columns (\(featureNames.prefix(8).joined(separator: ", "))\(featureNames.count > 8 ? ", ..." : ""))")
            }
        case (true, 4):
            guard inputs.shape[1] == width else {
                throw WorkflowError("architecture \(architecture) takes \(width)-channel images, but \(file) holds \(inputs.shape[1])-channel images (N x H x W x C)")
            }
        case (true, _):
            throw WorkflowError("architecture \(architecture) takes images (a uint8 N x H x W x C .npy), but \(file) holds feature rows")
        case (false, _):
            throw WorkflowError("architecture \(architecture) takes feature rows, but \(file) holds images")
        }
    }

    private static func checkImageSize(_ inputs: Tensor, file: String, fit model: ModelFile) throws(WorkflowError) {
        guard let expected = model.imageSize, let size = ImageSize(inputs: inputs), size != expected else { return }
        throw WorkflowError("the model was trained on \(expected) images, but \(file) holds \(size) images (height x width)")
    }

    // MARK: Helpers

    /// Splits off a seeded validation fraction.
    static func split(_ data: LabeledData, _ options: TrainingOptions) -> (LabeledData, LabeledData?) {
        let held = Int((options.validation * Double(data.count)).rounded())
        guard held > 0, data.count - held > 0 else { return (data, nil) }
        var rng = RandomGenerator(seed: options.seed, stream: "workflow/validation-split")
        let order = rng.permutation(data.count)
        func subset(_ rows: ArraySlice<Int>) -> LabeledData {
            let indices = Array(rows)
            return LabeledData(inputs: data.inputs.gatherRows(indices), targets: data.targets.gatherRows(indices),
                               featureNames: data.featureNames, targetNames: data.targetNames,
                               path: data.path, labelsPath: data.labelsPath)
        }
        return (subset(order[held...]), subset(order[..<held]))
    }

    /// The dataset the network trains on: standardized inputs and regression targets.
    static func normalize(_ data: LabeledData, _ standardization: Standardization?) -> Dataset {
        guard let standardization else { return data.dataset }
        return Dataset(inputs: standardization.normalizeInputs(data.inputs), targets: standardization.normalizeTargets(data.targets))
    }

    /// Runs a source-task training stage and scores the model's source network.
    private static func run(
        _ model: ModelFile, fit: LabeledData, validation: LabeledData?, options: TrainingOptions, stream: String,
        onStep: ((StepReport) -> Void)?, body: (Dataset, inout RandomGenerator) throws(TrainingError) -> [Double]
    ) throws(WorkflowError) -> TrainingReport {
        var rng = RandomGenerator(seed: options.seed, stream: stream)
        let stopwatch = Stopwatch()
        do { _ = try body(normalize(fit, model.standardization), &rng) } catch { throw WorkflowError(error) }
        let seconds = stopwatch.elapsed
        let source = try model.model(for: .source)
        return TrainingReport(
            training: Score.of(source, on: fit, loss: model.loss, standardization: model.standardization),
            validation: validation.map { Score.of(source, on: $0, loss: model.loss, standardization: model.standardization) },
            seconds: seconds)
    }
}

/// The `PACNetModel` stages on a network of any architecture kind (generic functions open the
/// `any Layer` a model file holds).
enum Stages {
    static func prune<Network: Layer>(_ network: Network, _ pruning: MagnitudePruning) -> (any Layer, WeightMasks?) {
        let pacnet = PACNetModel.prune(network, with: pruning)
        return (pacnet.network, pacnet.masks)
    }

    static func allocate<Network: Layer>(
        _ network: Network, masks: WeightMasks, on data: Dataset, loss: Loss, schedule: TrainingSchedule,
        rng: inout RandomGenerator, onStep: ((StepReport) -> Void)?
    ) throws(TrainingError) -> [Double] {
        try PACNetModel(network: network, masks: masks).allocate(on: data, loss: loss, schedule: schedule, rng: &rng, onStep: onStep)
    }

    static func calibrated<Network: Layer>(
        _ network: Network, masks: WeightMasks, on data: Dataset, loss: Loss, schedule: TrainingSchedule, lambda: Float,
        rng: inout RandomGenerator, onStep: ((StepReport) -> Void)?
    ) throws(TrainingError) -> any Layer {
        try PACNetModel(network: network, masks: masks)
            .calibrated(on: data, loss: loss, schedule: schedule, lambda: lambda, rng: &rng, onStep: onStep).network
    }
}
