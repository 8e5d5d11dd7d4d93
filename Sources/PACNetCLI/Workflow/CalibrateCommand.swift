import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet calibrate`: train only the pruned weights on the target data.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Train only the pruned weights of an allocated model on target data; the file then serves both tasks.")

    @Option(help: "Allocated model file.")
    var model: String
    @OptionGroup var data: DataOptions
    @Option(name: .customLong("lambda"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: AutoOption.lambdaHelp))
    var lambda: String = "0.01"
    @OptionGroup var training: TrainingFlags
    @OptionGroup var target: TargetOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let lambdaSetting = try AutoOption.lambda(lambda)
        let settings = try target.settings()
        try output.checkWritable()
        let allocated = try loadModel(model)
        let labeled = try data.load(loss: try data.parsedLoss(default: allocated.loss), model: allocated, targetTask: true)
        let schedules = try training.targetSchedules(defaults: .defaults(images: allocated.architecture.takesImages))
        let options = try training.options(epochs: schedules.targetEpochs, batchSize: schedules.targetBatchCap)
        let (calibrated, report) = try ProgressDisplay(quiet: output.quiet).showing {
            try step { () throws(WorkflowError) in
                try Workflow.calibrate(allocated, data: labeled, lambda: lambdaSetting, settings: settings, schedules: schedules, options: options)
            }
        }
        let selectionFields: [(String, SummaryValue)] = report.selection.map {
            [("selection", .text(AutoOption.selectionText(lambda: lambdaSetting, learningRate: settings.learningRate))),
             ("selection_seconds", .number($0.seconds))]
        } ?? []
        warnIfUseless(report.training, "the calibrated target model", data: labeled, loss: calibrated.loss, quiet: output.quiet)
        try step { () throws(WorkflowError) in try calibrated.save(to: output.out, overwrite: output.force) }
        printSummary([
            ("command", .text("calibrate")), ("model", .text(output.out)), ("rows", .integer(labeled.count)),
            ("lambda", .number(Double(calibrated.lambda!.description)!)),
        ] + TargetOptions.fields(settings, model: calibrated) + [
            ("epochs", .integer(report.epochs)),
            ("target_\(report.training.metric)", .score(report.training)),
            ("validation_\(report.training.metric)", .score(report.validation)), ("seconds", .number(report.seconds)),
        ] + selectionFields, json: output.json)
    }
}
