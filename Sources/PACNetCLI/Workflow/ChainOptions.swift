import ArgumentParser
import PACNN
import PACNet
import PACWorkflow

/// Adding a task to a calibrated model (`--task`, `--previous-data`, `--previous-labels`, `--keep`).
struct ChainOptions: ParsableArguments {
    @Option(help: "Add a task of this name to a calibrated model (a chain of tasks on one network; 'target' is the first target's name).")
    var task: String?

    @Option(name: .customLong("previous-data"), help: "With --task: the training data of the model's last task, which keeps the largest --keep fraction of its entries (re-allocated on this data) and frees the rest for the new task.")
    var previousData: String?

    @Option(name: .customLong("previous-labels"), help: "With --task: the .npy labels of --previous-data.")
    var previousLabels: String?

    @Option(parsing: .unconditional, help: "With --task: the fraction of its entries the last task keeps (0 < keep < 1).")
    var keep: Double = 0.5

    @Option(parsing: .unconditional, help: ArgumentHelp(stringLiteral: ChainOptions.readingHelp))
    var reading: String?

    static let readingHelp = "With --task, for the first added task: which entries each target reads, 'nested' (every earlier task's, as PackNet; the default) or 'source' (only the source's and its own)."

    /// The parsed `--reading`, if given.
    static func parseReading(_ text: String?) throws -> ChainReading? {
        guard let text else { return nil }
        guard let reading = ChainReading(rawValue: text) else { throw CLIError("--reading must be 'nested' or 'source', got '\(text)'") }
        return reading
    }

    /// The name of a task to add, or nil to calibrate the first target.
    var addedTask: String? { task == TaskSide.target.rawValue ? nil : task }

    /// Refuses the chain options without `--task`.
    func validate() throws {
        guard addedTask == nil else { return }
        if previousData != nil || previousLabels != nil || reading != nil { throw CLIError("--previous-data, --previous-labels and --reading need --task NAME (a task to add)") }
        _ = try Self.parseReading(reading)
    }

    /// The last task's training rows, columns defaulting to the model's for that task.
    func previous(loss: Loss, model: ModelFile) throws -> LabeledData? {
        guard let previousData else { return nil }
        return try DataOptions.load(path: previousData, labels: previousLabels, features: nil, targets: nil, loss: loss, model: model,
                                    task: model.taskNames.last!, layout: InputLayout(for: model.architecture))
    }

    /// Adds the task (after the caller's checks and data loading) and returns the file and the
    /// summary fields that describe the addition.
    func add(to model: ModelFile, data: LabeledData, previous: LabeledData?, lambda: Tunable<PenaltyStrength>, settings: TargetSettings,
             schedules: StageSchedules, options: TrainingOptions, quiet: Bool) throws -> (ModelFile, Workflow.TaskAddition, [(String, SummaryValue)]) {
        let name = addedTask!
        let parsedReading = try Self.parseReading(reading)
        let (result, report) = try ProgressDisplay(quiet: quiet || !RankOutput.isRoot).showing {
            try step { () throws(WorkflowError) in
                try Workflow.addTask(model, name: name, data: data, previous: previous, keep: keep, lambda: lambda, settings: settings,
                                     reading: parsedReading, schedules: schedules, options: options)
            }
        }
        let record = result.chainTasks.last!
        var fields: [(String, SummaryValue)] = [
            ("task", .text(name)), ("tasks", .text(result.taskNames.joined(separator: ","))),
            ("reading", .text(result.chainReading.rawValue)), ("released", .text(report.released)), ("kept", .integer(report.kept)), ("freed", .integer(report.freed)),
            ("released_\(report.releasedBefore.metric)_before", .score(report.releasedBefore)),
            ("released_\(report.releasedAfter.metric)_after", .score(report.releasedAfter)),
            ("lambda", .number(Double(record.lambda.description)!)), ("own_biases", .text(record.freedom == .ownBiases ? "yes" : "no")),
        ]
        if let rate = record.learningRate { fields.append(("target_learning_rate", .number(Double(rate.description)!))) }
        return (result, report, fields)
    }
}
