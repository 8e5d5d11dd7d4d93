import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet calibrate`: train only the pruned weights on the target data.
struct CalibrateCommand: DataParallelCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Train only the pruned weights of an allocated model on target data; the file then serves both tasks. With --task, add another task to a calibrated model.")

    @Option(help: "Allocated model file (calibrated, with --task).")
    var model: String
    @OptionGroup var data: DataOptions
    @Option(name: .customLong("lambda"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: AutoOption.lambdaHelp))
    var lambda: String = "0.01"
    @OptionGroup var training: TrainingFlags
    @OptionGroup var target: TargetOptions
    @OptionGroup var chain: ChainOptions
    @OptionGroup var output: OutputOptions

    func runOnEveryRank() throws {
        let lambdaSetting = try AutoOption.lambda(lambda)
        let settings = try target.settings()
        try output.checkWritable()
        let allocated = try loadModel(model)
        let task = chain.addedTask ?? TaskSide.target.rawValue
        if chain.addedTask == nil, allocated.stage == .calibrated {
            throw CLIError("\(model) is already calibrated (tasks \(allocated.taskNames.joined(separator: ", "))): add another task with --task NAME and --previous-data")
        }
        let loss = try data.parsedLoss(default: allocated.loss)
        let labeled = try data.load(loss: loss, model: allocated, task: task)
        let schedules = try training.targetSchedules(defaults: .defaults(images: allocated.architecture.takesImages))
        let options = try training.options(epochs: schedules.targetEpochs, batchSize: schedules.targetBatchCap)
        if chain.addedTask != nil {
            let previous = try chain.previous(loss: loss, model: allocated)
            let (result, report, fields) = try chain.add(to: allocated, data: labeled, previous: previous, lambda: lambdaSetting, settings: settings,
                                                         schedules: schedules, options: options, quiet: output.quiet)
            let calibration = report.calibration
            warnIfUseless(calibration.training, "the new task's model", data: labeled, loss: result.loss, quiet: output.quiet)
            try step { () throws(WorkflowError) in try result.saveOnRoot(to: output.out, overwrite: output.force) }
            printSummary([("command", .text("calibrate")), ("model", .text(output.out)), ("rows", .integer(labeled.count))] + fields + [
                ("epochs", .integer(calibration.epochs)), ("target_\(calibration.training.metric)", .score(calibration.training)),
                ("validation_\(calibration.training.metric)", .score(calibration.validation)), ("seconds", .number(calibration.seconds)),
            ] + Self.selectionFields(calibration.selection, lambda: lambdaSetting, settings: settings), json: output.json)
            return
        }
        let (calibrated, report) = try ProgressDisplay(quiet: output.quiet || !RankOutput.isRoot).showing {
            try step { () throws(WorkflowError) in
                try Workflow.calibrate(allocated, data: labeled, lambda: lambdaSetting, settings: settings, schedules: schedules, options: options)
            }
        }
        let selectionFields = Self.selectionFields(report.selection, lambda: lambdaSetting, settings: settings)
        warnIfUseless(report.training, "the calibrated target model", data: labeled, loss: calibrated.loss, quiet: output.quiet)
        try step { () throws(WorkflowError) in try calibrated.saveOnRoot(to: output.out, overwrite: output.force) }
        printSummary([
            ("command", .text("calibrate")), ("model", .text(output.out)), ("rows", .integer(labeled.count)),
            ("lambda", .number(Double(calibrated.lambda!.description)!)),
        ] + TargetOptions.fields(settings, model: calibrated) + [
            ("epochs", .integer(report.epochs)),
            ("target_\(report.training.metric)", .score(report.training)),
            ("validation_\(report.training.metric)", .score(report.validation)), ("seconds", .number(report.seconds)),
        ] + selectionFields, json: output.json)
    }

    static func selectionFields(_ selection: HyperparameterSelection.Choice?, lambda: Tunable<PenaltyStrength>,
                                settings: TargetSettings) -> [(String, SummaryValue)] {
        selection.map {
            [("selection", .text(AutoOption.selectionText(lambda: lambda, learningRate: settings.learningRate))), ("selection_seconds", .number($0.seconds))]
        } ?? []
    }
}
