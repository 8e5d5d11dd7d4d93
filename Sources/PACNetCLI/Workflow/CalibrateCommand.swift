import ArgumentParser
import PACWorkflow

/// `pacnet calibrate`: train only the pruned weights on the target data.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Train only the pruned weights of an allocated model on target data; the file then serves both tasks.")

    @Option(help: "Allocated model file.")
    var model: String
    @OptionGroup var data: DataOptions
    @Option(name: .customLong("lambda"), parsing: .unconditional, help: "Penalty on the pruned weights, lambda * sum w^2 (>= 0), or 'auto': choose from 0,1e-4,1e-3,1e-2,1e-1 by 5-fold cross-validation on the target rows (not the --validation rows).")
    var lambda: String = "0.01"
    @OptionGroup var training: TrainingFlags
    @OptionGroup var output: OutputOptions

    func run() throws {
        let fixedLambda = try AutoOption.lambda(lambda)
        try output.checkWritable()
        let allocated = try loadModel(model)
        let labeled = try data.load(loss: try data.parsedLoss(default: allocated.loss), model: allocated, targetTask: true)
        let defaults = StageDefaults(images: allocated.architecture.takesImages)
        let batch = training.batchSize ?? defaults.targetBatch(rows: labeled.count)
        let options = try training.options(epochs: defaults.targetEpochs(rows: labeled.count, batch: batch), batchSize: batch)
        var chosenLambda = fixedLambda ?? 0
        var selectionFields: [(String, SummaryValue)] = []
        if fixedLambda == nil {
            let (_, value, choice) = try step { () throws(WorkflowError) in
                try Workflow.selectCalibration([allocated], data: labeled, lambda: nil, options: options)
            }
            chosenLambda = value
            selectionFields = [("selection", .text("lambda")), ("selection_seconds", .number(choice.seconds))]
        }
        let progress = ProgressDisplay("calibrate", quiet: output.quiet)
        let (calibrated, report) = try step { () throws(WorkflowError) in
            try Workflow.calibrate(allocated, data: labeled, lambda: chosenLambda, options: options, onStep: progress.update)
        }
        progress.finish()
        try step { () throws(WorkflowError) in try calibrated.save(to: output.out, overwrite: output.force) }
        printSummary([
            ("command", .text("calibrate")), ("model", .text(output.out)), ("rows", .integer(labeled.count)),
            ("lambda", .number(Double("\(chosenLambda)")!)), ("epochs", .integer(options.epochs)),
            ("target_\(report.training.metric)", .score(report.training)),
            ("validation_\(report.training.metric)", .score(report.validation)), ("seconds", .number(report.seconds)),
        ] + selectionFields, json: output.json)
    }
}
