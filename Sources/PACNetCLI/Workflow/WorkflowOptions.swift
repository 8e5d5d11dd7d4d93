import ArgumentParser
import Foundation
import PACIO
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

    @Option(help: "Comma-separated feature columns (default: the model's, else every non-target column); quote a name that holds a comma: '\"x,1\",b'.")
    var features: String?

    @Option(help: "Comma-separated columns to leave out of the default features (ids, names).")
    var exclude: String?

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
    /// `forTraining`: the data will be trained on (see `DataSpec.forTraining`), not only scored.
    func load(loss: Loss, model: ModelFile? = nil, task: String = TaskSide.source.rawValue, architecture: Architecture? = nil,
              forTraining: Bool = true) throws -> LabeledData {
        try Self.load(path: data, labels: labels, names: names, features: Self.list(features, option: "--features"),
                      exclude: Self.list(exclude, option: "--exclude"), targets: Self.list(targets, option: "--targets"),
                      loss: loss, model: model, task: task,
                      layout: (model?.architecture ?? architecture).map(InputLayout.init(for:)) ?? .features, forTraining: forTraining)
    }

    /// Loads labelled data; feature and target columns default to `model`'s (those of its task
    /// named `task`).
    static func load(path: String, labels: String?, names: String? = nil, features: [String]?, exclude: [String]? = nil,
                     targets: [String]?, loss: Loss, model: ModelFile? = nil, task: String = TaskSide.source.rawValue,
                     layout: InputLayout = .features, forTraining: Bool = true) throws -> LabeledData {
        let isNPY = path.lowercased().hasSuffix(".npy")
        // NumPy labels need no names (they default to y0, y1, ...).
        let targetNames = targets ?? model?.outputNames(forTask: task) ?? (isNPY ? [] : nil)
        guard let targetNames, !targetNames.isEmpty || isNPY else {
            throw CLIError("--targets is required: name the target column(s) of \(path)")
        }
        let featureNames = features ?? (isNPY ? nil : model?.features)
        var spec = DataSpec(path: path, labelsPath: labels, features: featureNames, targets: targetNames, loss: loss,
                            layout: layout, namesPath: names)
        spec.excluded = exclude ?? []
        spec.forTraining = forTraining
        do { return try LabeledData.load(spec) } catch { throw CLIError(error.description) }
    }

    /// A comma-separated list of column names, or nil when not given. A name holding a comma or
    /// a quote is written in double quotes, as in a CSV header (`"x,1",b`, `"say ""hi"""`); a
    /// name listed twice is refused.
    static func list(_ text: String?, option: String) throws -> [String]? {
        guard let text else { return nil }
        var names: [String] = [], current = "", quoted = false, wasQuoted = false
        var characters = text.makeIterator()
        func finish() throws {
            let name = wasQuoted ? current : current.trimmingCharacters(in: .whitespaces)
            if !name.isEmpty {
                if names.contains(name) { throw CLIError("\(option) lists '\(name)' twice") }
                names.append(name)
            }
            (current, wasQuoted) = ("", false)
        }
        while let character = characters.next() {
            switch (character, quoted) {
            case ("\"", false) where current.trimmingCharacters(in: .whitespaces).isEmpty:
                (current, quoted, wasQuoted) = ("", true, true)
            case ("\"", true):
                // A doubled quote inside quotes is a literal quote; a single one closes.
                var lookahead = characters
                if lookahead.next() == "\"" { current.append("\""); characters = lookahead } else { quoted = false }
            case (",", false):
                try finish()
            default:
                if wasQuoted && !quoted {
                    if character.isWhitespace { continue }
                    throw CLIError("\(option): unexpected text after the quoted name \"\(current)\"")
                }
                current.append(character)
            }
        }
        if quoted { throw CLIError("\(option): a quoted name is not closed") }
        try finish()
        return names
    }
}

/// `--standardize` / `--no-standardize` for commands that train a new model.
struct StandardizationFlag: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Standardize inputs (and regression targets) with the source data's statistics, stored in the model (default: on for feature columns, off for images, whose pixels are already in [0, 1]).")
    var standardize: Bool?

    /// Whether a new model standardizes: as asked, else on for feature tables and off for images.
    func enabled(images: Bool) -> Bool { standardize ?? !images }
}

/// Training-stage settings (`--epochs`, `--batch-size`, `--learning-rate`, `--seed`, `--validation`).
struct TrainingFlags: ParsableArguments {
    @Option(help: ArgumentHelp(stringLiteral: TrainingFlags.epochsHelp))
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: ArgumentHelp(stringLiteral: TrainingFlags.batchHelp))
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

    static let epochsHelp: String = {
        let (t, i) = (StageSchedules.tabular, StageSchedules.images)
        return "Epochs (default: the stage's: train \(t.sourceEpochs), allocate \(t.allocateEpochs), calibrate \(t.targetEpochs); image models "
            + "max(\(i.sourceEpochs) epochs, \(i.sourceMinimumSteps) steps), max(\(i.allocateEpochs) epochs, \(i.allocateMinimumSteps) steps), "
            + "max(\(i.targetEpochs) epochs, \(i.targetMinimumSteps) steps))."
    }()
    static let batchHelp = "Mini-batch size (default: \(StageSchedules.tabular.batchSize); calibrate: min(rows, \(StageSchedules.tabular.targetBatchCap)), "
        + "image models min(rows, \(StageSchedules.images.targetBatchCap)))."

    func options(epochs defaultEpochs: Int, batchSize defaultBatch: Int) throws -> TrainingOptions {
        guard seed >= 0 else { throw CLIError("--seed must be >= 0, got \(seed)") }
        let options = TrainingOptions(epochs: epochs ?? defaultEpochs, batchSize: batchSize ?? defaultBatch,
                                      learningRate: Float(learningRate), seed: UInt64(seed), validation: validation)
        do { try options.validate() } catch { throw CLIError(error) }
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

    @Flag(help: "No progress, warnings or notes on stderr (errors still).")
    var quiet = false

    /// Fails early, before any work, when the output cannot be written: it exists and --force
    /// is not given, its folder is missing or read-only, or it is a folder, FIFO or socket.
    func checkWritable() throws {
        try Self.check(out, force: force)
    }

    /// Checks one output path (see `AtomicFile.destination`).
    static func check(_ path: String, force: Bool) throws {
        do { _ = try AtomicFile.destination(of: path, overwrite: force) } catch { throw CLIError(error.description) }
    }
}

/// Loads a model file, with `--arch` for files that do not describe themselves.
func loadModel(_ path: String, arch: String? = nil) throws -> ModelFile {
    do {
        guard let arch else { return try ModelFile.load(path: path) }
        return try ModelFile.load(path: path, architectureText: arch)
    } catch {
        throw CLIError(error.description)
    }
}

/// Warns on stderr when a trained model does worse on its own training rows than the best
/// constant prediction: it has learned nothing useful, usually for want of scaling, epochs or a
/// suitable learning rate.
func warnIfUseless(_ score: Score, _ what: String, data: LabeledData, loss: Loss, quiet: Bool) {
    guard !quiet && RankOutput.isRoot else { return }
    let baseline = Score.constantBaseline(on: data, loss: loss)
    guard score.isWorse(than: baseline) else { return }
    let constant = loss == .mse ? "predicting the mean" : "predicting the most frequent \(loss == .crossEntropy ? "class" : "label values")"
    let message = "warning: \(what) scores \(score.metric) \(String(format: "%.6g", score.value)) on its own training rows, worse than \(constant) (\(String(format: "%.6g", baseline.value))); try --standardize, more epochs or another --learning-rate\n"
    FileHandle.standardError.write(Data(message.utf8))
}

/// Notes on stderr that a regression target looks like class labels.
func noteClassLikeTargets(_ data: LabeledData, loss: Loss, quiet: Bool) {
    guard !quiet, RankOutput.isRoot, loss == .mse, let values = data.classLikeValues else { return }
    let message = "note: \(data.targetNames.first ?? "the target") holds only the values \(values.map(String.init).joined(separator: ", ")): if these are class labels, train a classifier with --loss ce and \(values.max()! + 1) outputs\n"
    FileHandle.standardError.write(Data(message.utf8))
}

/// Runs a workflow step, turning its errors into one-line CLI errors.
func step<T>(_ body: () throws(WorkflowError) -> T) throws -> T {
    do { return try body() } catch { throw error.setting.map { CLIError($0) } ?? CLIError(error.description) }
}

/// Prints a summary: `key: value` lines, or one JSON object with `--json`.
func printSummary(_ fields: [(String, SummaryValue)], json: Bool, to handle: FileHandle = .standardOutput) {
    guard RankOutput.isRoot else { return }
    var text: String
    if json {
        var line = JSONLineBuilder()
        for (key, value) in fields { line.add(key, value) }
        text = line.text + "\n"
    } else {
        text = fields.map { "\($0.0): \($0.1.text)\n" }.joined()
    }
    handle.write(Data(text.utf8))
}

/// What calibration may change for the target and its learning rate (`calibrate`, `transfer`).
struct TargetOptions: ParsableArguments {
    @Flag(name: .customLong("own-biases"), help: ArgumentHelp(stringLiteral: AutoOption.ownBiasesHelp))
    var ownBiases = false

    @Option(name: .customLong("target-learning-rate"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: AutoOption.learningRateHelp))
    var targetLearningRate: String?

    /// The validated settings.
    func settings() throws -> TargetSettings {
        TargetSettings(freedom: ownBiases ? .ownBiases : .prunedWeights, learningRate: try targetLearningRate.map(AutoOption.learningRate))
    }

    /// Summary fields: the freedom, and the learning rate when given or selected.
    static func fields(_ settings: TargetSettings, model: ModelFile) -> [(String, SummaryValue)] {
        var fields: [(String, SummaryValue)] = [("own_biases", .text(settings.freedom == .ownBiases ? "yes" : "no"))]
        if let rate = model.learningRate { fields.append(("target_learning_rate", .number(Double(rate.description)!))) }
        return fields
    }
}
