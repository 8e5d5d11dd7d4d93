import PACEngine
import PACNN
import PACNet

/// The staged PAC-Net operations on user data and model files, as the `pacnet train`, `prune`,
/// `allocate` and `calibrate` commands run them.
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
        var initRNG = RandomGenerator(seed: options.seed, stream: "workflow/init")
        var model = ModelFile(architecture: architecture, network: architecture.makeNetwork(rng: &initRNG), stage: .trained, loss: loss)
        let (fit, validation) = split(data, options)
        if standardize {
            model.standardization = Standardization(inputs: fit.inputs, targets: loss == .mse ? fit.targets : nil)
        }
        model.features = data.featureNames
        model.targets = data.targetNames
        let report = try run(model, fit: fit, validation: validation, options: options, stream: "workflow/train", onStep: onStep) { (dataset, rng) throws(TrainingError) -> [Double] in
            try TrainingSchedule(epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate)
                .train(model.network, on: dataset, loss: loss, rng: &rng, onStep: onStep)
        }
        return (model, report)
    }

    /// Magnitude-prunes a trained model (a copy).
    public static func prune(_ model: ModelFile, pruning: MagnitudePruning) throws(WorkflowError) -> ModelFile {
        guard model.stage == .trained else {
            throw WorkflowError("the model is already at stage '\(model.stage.rawValue)'; prune a trained (unpruned) model")
        }
        let pacnet = PACNetModel.prune(model.network, with: pruning)
        var result = model
        result.network = pacnet.network
        result.masks = pacnet.masks
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
        try check(data, fits: model.architecture, loss: model.loss)
        var result = model
        result.network = model.network.clone()
        result.stage = .allocated
        let pacnet = PACNetModel(network: result.network, masks: masks)
        let (fit, validation) = split(data, options)
        let report = try run(result, fit: fit, validation: validation, options: options, stream: "workflow/allocate", onStep: onStep) { (dataset, rng) throws(TrainingError) -> [Double] in
            try pacnet.allocate(on: dataset, loss: model.loss,
                                schedule: TrainingSchedule(epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate),
                                rng: &rng, onStep: onStep)
        }
        return (result, report)
    }

    /// Trains only the pruned weights on the target data, with `lambda * sum w_pruned^2`.
    public static func calibrate(
        _ model: ModelFile, data: LabeledData, lambda: Float, options: TrainingOptions, onStep: ((StepReport) -> Void)? = nil
    ) throws(WorkflowError) -> (ModelFile, TrainingReport) {
        guard model.stage == .allocated, let masks = model.masks else {
            throw WorkflowError("calibration needs an allocated model (stage 'allocated'), got stage '\(model.stage.rawValue)'")
        }
        guard lambda >= 0, lambda.isFinite else { throw WorkflowError("--lambda must be a finite number >= 0, got \(lambda)") }
        try check(data, fits: model.architecture, loss: model.loss)
        var result = model
        result.stage = .calibrated
        result.lambda = lambda
        result.targetTaskTargets = data.targetNames
        let (fit, validation) = split(data, options)
        let allocated = PACNetModel(network: model.network, masks: masks)
        var calibrated: PACNetModel<MLP>?
        let schedule = TrainingSchedule(epochs: options.epochs, batchSize: min(options.batchSize, fit.count), learningRate: options.learningRate)
        let normalized = normalize(fit, model.standardization)
        var rng = RandomGenerator(seed: options.seed, stream: "workflow/calibrate")
        let seconds: Double
        do {
            let start = DispatchClock.now
            calibrated = try allocated.calibrated(on: normalized, loss: model.loss, schedule: schedule, lambda: lambda, rng: &rng, onStep: onStep)
            seconds = DispatchClock.seconds(since: start)
        } catch { throw WorkflowError(error) }
        result.network = calibrated!.network
        let report = TrainingReport(
            training: Score.of(result.network, on: fit, loss: model.loss, standardization: model.standardization),
            validation: validation.map { Score.of(result.network, on: $0, loss: model.loss, standardization: model.standardization) },
            seconds: seconds)
        return (result, report)
    }

    /// Scores a model's `task` network on labelled data.
    public static func evaluate(_ model: ModelFile, data: LabeledData, task: Task) throws(WorkflowError) -> Score {
        try check(data, fits: model.architecture, loss: model.loss)
        return Score.of(try model.model(for: task), on: data, loss: model.loss, standardization: model.standardization)
    }

    // MARK: Helpers

    /// Checks that data and architecture agree in width and label range.
    static func check(_ data: LabeledData, fits architecture: Architecture, loss: Loss) throws(WorkflowError) {
        let inputFile = data.path ?? "the data", labelFile = data.labelsPath ?? inputFile
        guard data.inputs.shape[1] == architecture.inputWidth else {
            throw WorkflowError("architecture \(architecture) takes \(architecture.inputWidth) inputs, but \(inputFile) has \(data.inputs.shape[1]) feature columns (\(data.featureNames.prefix(8).joined(separator: ", "))\(data.featureNames.count > 8 ? ", ..." : ""))")
        }
        switch loss {
        case .mse, .bce:
            guard data.targets.shape[1] == architecture.outputWidth else {
                throw WorkflowError("architecture \(architecture) has \(architecture.outputWidth) outputs, but \(labelFile) has \(data.targets.shape[1]) target columns")
            }
        case .crossEntropy:
            let largest = Int(data.targets.max())
            guard largest < architecture.outputWidth else {
                throw WorkflowError("architecture \(architecture) has \(architecture.outputWidth) outputs (classes 0...\(architecture.outputWidth - 1)), but \(labelFile) has class \(largest)")
            }
        }
    }

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

    private static func run(
        _ model: ModelFile, fit: LabeledData, validation: LabeledData?, options: TrainingOptions, stream: String,
        onStep: ((StepReport) -> Void)?, body: (Dataset, inout RandomGenerator) throws(TrainingError) -> [Double]
    ) throws(WorkflowError) -> TrainingReport {
        var rng = RandomGenerator(seed: options.seed, stream: stream)
        let start = DispatchClock.now
        do { _ = try body(normalize(fit, model.standardization), &rng) } catch { throw WorkflowError(error) }
        let seconds = DispatchClock.seconds(since: start)
        return TrainingReport(
            training: Score.of(model.network, on: fit, loss: model.loss, standardization: model.standardization),
            validation: validation.map { Score.of(model.network, on: $0, loss: model.loss, standardization: model.standardization) },
            seconds: seconds)
    }
}
