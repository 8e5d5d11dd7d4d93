import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet evaluate`: score a model's source or target network on labelled data.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Score a model on labelled data: RMSE (regression) or accuracy (classification).")

    @Option(help: "Model file.")
    var model: String
    @Option(help: "Architecture, for model files without one (e.g. from PyTorch).")
    var arch: String?
    @OptionGroup var data: DataOptions
    @Option(help: "Which network: 'source' (masked) or 'target' (whole; needs a calibrated model). Default: the model's last task.")
    var task: String?
    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        var file = try loadModel(model, arch: arch)
        file.loss = try data.parsedLoss(default: file.loss)
        let which = try parseTask(task, default: file.stage.sides.last!)
        let labeled = try data.load(loss: file.loss, model: file, targetTask: which == .target, forTraining: false)
        let score = try step { () throws(WorkflowError) in try Workflow.evaluate(file, data: labeled, task: which) }
        // A file that serves one task has nothing to choose: it names no task.
        let taskField: [(String, SummaryValue)] = file.stage.sides.count > 1 ? [("task", .text(which.rawValue))] : []
        printSummary([("command", .text("evaluate")), ("model", .text(model))] + taskField + [
            ("data", .text(data.data)), ("rows", .integer(score.samples)), (score.metric, .number(score.value)),
        ], json: json)
    }
}

/// Parses `--task`.
func parseTask(_ text: String?, default fallback: TaskSide) throws -> TaskSide {
    guard let text else { return fallback }
    guard let task = TaskSide(rawValue: text) else { throw CLIError("--task must be 'source' or 'target', got '\(text)'") }
    return task
}
