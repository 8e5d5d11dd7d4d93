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
    @Option(name: .customLong("lambda"), parsing: .unconditional, help: "Penalty on the pruned weights, lambda * sum w^2 (>= 0).")
    var lambda: Double = 0.01
    @OptionGroup var training: TrainingFlags
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard lambda >= 0 && lambda.isFinite else { throw CLIError("--lambda must be a finite number >= 0, got \(lambda)") }
        try output.checkWritable()
        let allocated = try loadModel(model)
        let labeled = try data.load(loss: try data.parsedLoss(default: allocated.loss), model: allocated, targetTask: true)
        let defaults = StageDefaults(images: allocated.architecture.takesImages)
        let batch = training.batchSize ?? defaults.targetBatch(rows: labeled.count)
        let options = try training.options(epochs: defaults.targetEpochs(rows: labeled.count, batch: batch), batchSize: batch)
        let progress = ProgressDisplay("calibrate", quiet: output.quiet)
        let (calibrated, report) = try step { () throws(WorkflowError) in
            try Workflow.calibrate(allocated, data: labeled, lambda: Float(lambda), options: options, onStep: progress.update)
        }
        progress.finish()
        try step { () throws(WorkflowError) in try calibrated.save(to: output.out, overwrite: output.force) }
        printSummary([
            ("command", .text("calibrate")), ("model", .text(output.out)), ("rows", .integer(labeled.count)),
            ("lambda", .number(lambda)), ("epochs", .integer(options.epochs)),
            ("target_\(report.training.metric)", .score(report.training)),
            ("validation_\(report.training.metric)", .score(report.validation)), ("seconds", .number(report.seconds)),
        ], json: output.json)
    }
}
