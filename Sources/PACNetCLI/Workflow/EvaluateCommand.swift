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
    @Option(help: "Which task's network: 'source' (masked), 'target' (needs a calibrated model) or a task added with calibrate --task. Default: the model's last task.")
    var task: String?
    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        var file = try loadModel(model, arch: arch)
        file.loss = try data.parsedLoss(default: file.loss)
        let which = try parseTask(task, in: file)
        let labeled = try data.load(loss: file.loss, model: file, task: which, forTraining: false)
        let score = try step { () throws(WorkflowError) in try Workflow.evaluate(file, data: labeled, task: which) }
        // A file that serves one task has nothing to choose: it names no task.
        let taskField: [(String, SummaryValue)] = file.taskNames.count > 1 ? [("task", .text(which))] : []
        printSummary([("command", .text("evaluate")), ("model", .text(model))] + taskField + [
            ("data", .text(data.data)), ("rows", .integer(score.samples)), (score.metric, .number(score.value)),
        ], json: json)
    }
}

/// Parses `--task`: one of the model's tasks (default: its last).
func parseTask(_ text: String?, in model: ModelFile) throws -> String {
    guard let text else { return model.taskNames.last! }
    _ = try step { () throws(WorkflowError) in try model.taskIndex(text) }
    return text
}
