import ArgumentParser
import Foundation
import PACNN
import PACNet
import PACWorkflow

/// Where labelled data comes from (`--data`, `--labels`, `--names`, `--features`, `--targets`, `--loss`).
struct DataOptions: ParsableArguments {
    @Option(help: "Data file: a CSV with a header row, or .npy features (N x F) or uint8 images (N x H x W x C, for resnet models); then --labels.")
    var data: String

    @Option(help: "Targets as .npy (N x T; 0/1 attributes for images), when --data is .npy.")
    var labels: String?

    @Option(help: "Names of the .npy label columns: a text file, one name per line.")
    var names: String?

    @Option(help: "Comma-separated feature columns (default: the model's, else every non-target column).")
    var features: String?

    @Option(help: "Comma-separated target columns of the CSV (default: the model's).")
    var targets: String?

    @Option(help: "Loss: mse (regression), bce (0/1 multi-label columns) or ce (one integer class column).")
    var loss: String?

    func parsedLoss(default fallback: Loss) throws -> Loss { try Self.parseLoss(loss, default: fallback) }

    static func parseLoss(_ text: String?, default fallback: Loss) throws -> Loss {
        guard let text else { return fallback }
        guard let parsed = Loss(rawValue: text) else { throw CLIError("--loss must be mse, bce or ce, got '\(text)'") }
        return parsed
    }

    /// Loads the data, defaulting columns to a model's when one is given; a .npy file holds
    /// images when the model's (or else `architecture`'s) network takes them.
    func load(loss: Loss, model: ModelFile? = nil, targetTask: Bool = false, architecture: Architecture? = nil) throws -> LabeledData {
        try Self.load(path: data, labels: labels, names: names, features: Self.list(features), targets: Self.list(targets),
                      loss: loss, model: model, targetTask: targetTask,
                      layout: (model?.architecture ?? architecture).map(InputLayout.init(for:)) ?? .features)
    }

    /// Loads labelled data; feature and target columns default to `model`'s (the target task's
    /// targets when `targetTask`).
    static func load(path: String, labels: String?, names: String? = nil, features: [String]?, targets: [String]?, loss: Loss,
                     model: ModelFile? = nil, targetTask: Bool = false, layout: InputLayout = .features) throws -> LabeledData {
        let isNPY = path.lowercased().hasSuffix(".npy")
        // NumPy labels need no names (they default to y0, y1, ...).
        let targetNames = targets ?? model?.outputNames(for: targetTask ? .target : .source) ?? (isNPY ? [] : nil)
        guard let targetNames, !targetNames.isEmpty || isNPY else {
            throw CLIError("--targets is required: name the target column(s) of \(path)")
        }
        let featureNames = features ?? (isNPY ? nil : model?.features)
        let spec = DataSpec(path: path, labelsPath: labels, features: featureNames, targets: targetNames, loss: loss,
                            layout: layout, namesPath: names)
        do { return try LabeledData.load(spec) } catch { throw CLIError(error.description) }
    }

    /// A comma-separated list, or nil when not given.
    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}

/// Training-stage settings (`--epochs`, `--batch-size`, `--learning-rate`, `--seed`, `--validation`).
struct TrainingFlags: ParsableArguments {
    @Option(help: "Epochs (default: the stage's: train 60, allocate 30, calibrate 300; image models 8, 3 and max(30, enough for 300 steps)).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Mini-batch size (default: 128; calibrate: min(rows, 32), image models min(rows, 64)).")
    var batchSize: Int?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Adam learning rate.")
    var learningRate: Double = 1e-3

    @Option(parsing: .unconditional, help: "Seed for initialization, shuffling and the validation split.")
    var seed: Int = 0

    @Option(parsing: .unconditional, help: "Fraction of rows held out to report a validation score, in [0, 1).")
    var validation: Double = 0

    /// The target schedule of calibration: `defaults`, with `--epochs` (then no minimum step
    /// count), `--batch-size` (the target batch cap) and `--learning-rate` when given.
    func targetSchedules(defaults: StageSchedules) throws -> StageSchedules {
        var schedules = defaults
        if let epochs {
            schedules.targetEpochs = epochs
            schedules.targetMinimumSteps = 0
        }
        if let batchSize { schedules.targetBatchCap = batchSize }
        schedules.learningRate = try validated("--learning-rate") { () throws(SettingError) in try LearningRate(learningRate) }
        return schedules
    }

    func options(epochs defaultEpochs: Int, batchSize defaultBatch: Int) throws -> TrainingOptions {
        guard seed >= 0 else { throw CLIError("--seed must be >= 0, got \(seed)") }
        let options = TrainingOptions(epochs: epochs ?? defaultEpochs, batchSize: batchSize ?? defaultBatch,
                                      learningRate: Float(learningRate), seed: UInt64(seed), validation: validation)
        if let problem = options.validationError() { throw CLIError(problem) }
        return options
    }
}

/// Output settings shared by commands that write a model (`--out`, `--force`, `--json`, `--quiet`).
struct OutputOptions: ParsableArguments {
    @Option(help: "Output file.")
    var out: String

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    /// Fails early, before any work, when the output exists and --force is not given.
    func checkWritable() throws {
        if !force && FileManager.default.fileExists(atPath: out) {
            throw CLIError("\(out): output file exists (use --force to overwrite)")
        }
    }
}

/// Loads a model file, with `--arch` for files that do not describe themselves.
func loadModel(_ path: String, arch: String? = nil) throws -> ModelFile {
    do {
        let architecture = try arch.map { (text) throws(WorkflowError) in try Architecture(parsing: text) }
        return try ModelFile.load(path: path, architecture: architecture)
    } catch {
        throw CLIError(error.description)
    }
}

/// Runs a workflow step, turning its errors into one-line CLI errors.
func step<T>(_ body: () throws(WorkflowError) -> T) throws -> T {
    do { return try body() } catch { throw CLIError(error.description) }
}

/// Prints a summary: `key: value` lines, or one JSON object with `--json`.
func printSummary(_ fields: [(String, SummaryValue)], json: Bool) {
    if json {
        var line = JSONLineBuilder()
        for (key, value) in fields { line.add(key, value) }
        print(line.text)
    } else {
        for (key, value) in fields { print("\(key): \(value.text)") }
    }
}
