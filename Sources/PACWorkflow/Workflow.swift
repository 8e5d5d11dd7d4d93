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
        data: LabeledData, architecture: Architecture, loss: Loss, options: TrainingOptions, standardize: Bool
    ) throws(WorkflowError) -> (ModelFile, TrainingReport) {
        try check(data, fits: architecture, loss: loss)
        if standardize && architecture.takesImages {
            throw WorkflowError("--standardize applies to feature columns; image pixels are already scaled to [0, 1]")
        }
        var initRNG = RandomGenerator(seed: options.seed, stream: "workflow/init")
        var model = ModelFile(architecture: architecture, network: architecture.makeNetwork(rng: &initRNG), stage: .trained, loss: loss)
        let (fit, validation) = try split(data, options)
        if standardize {
            model.standardization = Standardization(inputs: fit.inputs, targets: loss == .mse ? fit.targets : nil)
        }
        model.features = architecture.takesImages ? nil : data.featureNames
        model.targets = data.targetNames
        model.imageSize = data.imageSize
        let network = model.network
        let report = try run(&model, fit: fit, validation: validation, options: options, stream: "workflow/train") { (dataset, rng) throws(TrainingError) in
            TaskHeads.select(.source, in: network)
            try TrainingProgress.stage("train") { () throws(TrainingError) in
                _ = try options.schedule.train(network, on: dataset, loss: loss, rng: &rng)
            }
            return network
        }
        return (model, report)
    }

    /// Magnitude-prunes a trained model (a copy).
    public static func prune(_ model: ModelFile, pruning: MagnitudePruning) throws(WorkflowError) -> ModelFile {
        guard model.stage == .trained else {
            throw WorkflowError("the model is already at stage '\(model.stage.rawValue)'; prune a trained (unpruned) model")
        }
        try checkPruning([pruning], network: model.network)
        var result = model
        (result.network, result.masks) = Stages.pruned(model.network, pruning)
        result.stage = .pruned
        result.ratio = pruning.ratio
        return result
    }

    /// Retrains a pruned model on the source data with pruned weights held at zero.
    public static func allocate(
        _ model: ModelFile, data: LabeledData, options: TrainingOptions
    ) throws(WorkflowError) -> (ModelFile, TrainingReport) {
        guard model.stage == .pruned || model.stage == .allocated, let masks = model.masks else {
            throw WorkflowError("allocation needs a pruned model (stage 'pruned'), got stage '\(model.stage.rawValue)'")
        }
        try check(data, fits: model, task: .source)
        var result = model
        result.stage = .allocated
        let (fit, validation) = try split(data, options)
        let report = try run(&result, fit: fit, validation: validation, options: options, stream: "workflow/allocate") { (dataset, rng) throws(TrainingError) in
            try TrainingProgress.stage("allocate") { () throws(TrainingError) in
                try Stages.allocated(model.network, masks: masks, on: dataset, loss: model.loss, schedule: options.schedule, rng: &rng)
            }
        }
        return (result, report)
    }

    /// Trains only the pruned weights (and a multi-head network's target head) on the target
    /// data, with `lambda * sum w_pruned^2`; `lambda` may be chosen by cross-validation on the
    /// training rows (`HyperparameterSelection`; the `validation` rows are never used for it).
    /// Target training follows `schedules` for the number of training rows.
    public static func calibrate(
        _ model: ModelFile, data: LabeledData, lambda: Tunable<PenaltyStrength>, settings: TargetSettings = TargetSettings(),
        schedules: StageSchedules, options: TrainingOptions
    ) throws(WorkflowError) -> (ModelFile, CalibrationReport) {
        guard model.stage == .allocated, model.masks != nil else {
            throw WorkflowError("calibration needs an allocated model (stage 'allocated'), got stage '\(model.stage.rawValue)'")
        }
        // A single-task image model gets its target head, of the data's width, as in `transfer`.
        let model = model.lacksTargetHead ? try model.addingTargetHead(outputs: data.targets.shape[1], seed: options.seed) : model
        let masks = model.masks!
        try check(data, fits: model, task: .target)
        let (fit, validation) = try split(data, options)
        if lambda == .auto || settings.learningRate == .auto, fit.count < 2 { throw WorkflowError("cross-validation needs at least 2 target rows, got \(fit.count)") }
        let ratio: PruningRatio
        if let recorded = model.ratio { ratio = recorded } else { ratio = try Stages.ratio(of: masks) }
        let outcome = try Stages.calibrated(model.network, masks: masks, ratio: ratio, lambda: lambda, settings: settings,
                                            on: normalize(fit, model.standardization), loss: model.loss, schedules: schedules, seed: options.seed)
        var result = model
        result.stage = .calibrated
        result.network = outcome.network
        result.sourceCopies = outcome.sourceCopies
        result.lambda = outcome.lambda
        result.learningRate = outcome.learningRate
        result.targetTaskTargets = data.targetNames
        let target = try result.model(for: .target)
        let report = CalibrationReport(
            training: Score.of(target, on: fit, loss: model.loss, standardization: model.standardization),
            validation: validation.map { Score.of(target, on: $0, loss: model.loss, standardization: model.standardization) },
            seconds: outcome.seconds, epochs: schedules.target(rows: fit.count).epochs, selection: outcome.selection)
        return (result, report)
    }

    /// Scores a model's `task` network on labelled data.
    public static func evaluate(_ model: ModelFile, data: LabeledData, task: TaskSide) throws(WorkflowError) -> Score {
        try evaluate(model, data: data, task: task.rawValue)
    }

    /// Scores the network of the model's task named `task` (any task of a chain) on labelled data.
    public static func evaluate(_ model: ModelFile, data: LabeledData, task: String) throws(WorkflowError) -> Score {
        let network = try model.model(forTask: task)
        try check(data, fits: model.architecture, loss: model.loss, head: try model.taskIndex(task), task: task)
        try checkImageSize(data.inputs, file: data.path ?? "the data", fit: model)
        return Score.of(network, on: data, loss: model.loss, standardization: model.standardization)
    }

    // MARK: Checks

    /// Checks, before any training, that each pruning leaves both tasks entries of `network`'s
    /// architecture (see `MagnitudePruning.check`).
    public static func checkPruning(_ prunings: [MagnitudePruning], network: any Layer) throws(WorkflowError) {
        for pruning in prunings {
            do { try pruning.check(for: network) } catch { throw WorkflowError(error) }
        }
    }

    /// Checks that data and architecture agree in inputs, loss and (for `task`) outputs.
    public static func check(_ data: LabeledData, fits architecture: Architecture, loss: Loss, task: TaskSide = .source) throws(WorkflowError) {
        try check(data, fits: architecture, loss: loss, head: task.head, task: task.rawValue)
    }

    /// Checks that data and architecture agree in inputs, loss and the outputs of head `head`
    /// (serving the task named `task`).
    public static func check(_ data: LabeledData, fits architecture: Architecture, loss: Loss, head: Int, task: String) throws(WorkflowError) {
        let inputFile = data.path ?? "the data", labelFile = data.labelsPath ?? inputFile
        try checkInputs(data.inputs, file: inputFile, featureNames: data.featureNames, fit: architecture)
        if architecture.takesImages && loss != .bce {
            throw WorkflowError("architecture \(architecture) learns 0/1 attributes with --loss bce, not --loss \(loss.rawValue)")
        }
        // A single-task image model gets its target head, of the data's width, in the transfer.
        guard let outputs = architecture.outputWidth(forHead: head) else { return }
        // A multi-head network has outputs per task; name the task so the head is clear.
        let whose = architecture.takesImages ? " for the \(task) task" : ""
        switch loss {
        case .mse, .bce:
            guard data.targets.shape[1] == outputs else {
                let hint = loss == .mse ? data.classLikeValues.map { " (its values \(Self.listed($0)) look like class labels: a classifier uses the cross-entropy loss, ce)" } ?? "" : ""
                throw WorkflowError("architecture \(architecture) has \(outputs) outputs\(whose), but \(labelFile) has \(data.targets.shape[1]) target columns\(hint)")
            }
        case .crossEntropy:
            let largest = Int(data.targets.max())
            guard largest < outputs else {
                throw WorkflowError("architecture \(architecture) has \(outputs) outputs (classes 0...\(outputs - 1))\(whose), but \(labelFile) has class \(largest)")
            }
        }
    }

    /// Checks that data fit a model: architecture, loss, and the image size it was trained on.
    public static func check(_ data: LabeledData, fits model: ModelFile, task: TaskSide) throws(WorkflowError) {
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

    static func checkImageSize(_ inputs: Tensor, file: String, fit model: ModelFile) throws(WorkflowError) {
        guard let expected = model.imageSize, let size = ImageSize(inputs: inputs), size != expected else { return }
        throw WorkflowError("the model was trained on \(expected) images, but \(file) holds \(size) images (height x width)")
    }

    // MARK: Helpers

    /// `0, 1, 2` (the first few values of a list).
    static func listed(_ values: [Int]) -> String {
        values.prefix(6).map(String.init).joined(separator: ", ") + (values.count > 6 ? ", ..." : "")
    }

    /// Splits off a seeded validation fraction; a fraction that holds out no row, or every row,
    /// is refused rather than silently ignored.
    static func split(_ data: LabeledData, _ options: TrainingOptions) throws(WorkflowError) -> (LabeledData, LabeledData?) {
        guard options.validation > 0 else { return (data, nil) }
        let held = Int((options.validation * Double(data.count)).rounded())
        if held == 0 {
            throw WorkflowError("a validation fraction of \(options.validation) holds out 0 of \(data.count) rows; use a larger fraction, or 0 for none")
        }
        if held >= data.count {
            throw WorkflowError("a validation fraction of \(options.validation) holds out all \(data.count) rows, leaving none to train on")
        }
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

    /// Runs a source-task training stage: `body` returns the trained network, which becomes
    /// `model`'s; then scores the model's source network.
    private static func run(
        _ model: inout ModelFile, fit: LabeledData, validation: LabeledData?, options: TrainingOptions, stream: String,
        body: (Dataset, inout RandomGenerator) throws(TrainingError) -> any Layer
    ) throws(WorkflowError) -> TrainingReport {
        var rng = RandomGenerator(seed: options.seed, stream: stream)
        let stopwatch = Stopwatch()
        do { model.network = try body(normalize(fit, model.standardization), &rng) } catch { throw WorkflowError(error) }
        let seconds = stopwatch.elapsed
        let source = try model.model(for: .source)
        return TrainingReport(
            training: Score.of(source, on: fit, loss: model.loss, standardization: model.standardization),
            validation: validation.map { Score.of(source, on: $0, loss: model.loss, standardization: model.standardization) },
            seconds: seconds)
    }
}

