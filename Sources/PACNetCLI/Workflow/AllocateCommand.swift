import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet allocate`: retrain a pruned model on the source data, pruned weights held at zero.
struct AllocateCommand: DataParallelCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocate", abstract: "Retrain a pruned model on the source data with pruned weights held at zero.")

    @Option(help: "Pruned model file.")
    var model: String
    @OptionGroup var data: DataOptions
    @OptionGroup var training: TrainingFlags
    @OptionGroup var output: OutputOptions

    func runOnEveryRank() throws {
        try output.checkWritable()
        let pruned = try loadModel(model)
        let defaults = StageSchedules.defaults(images: pruned.architecture.takesImages)
        let labeled = try data.load(loss: try data.parsedLoss(default: pruned.loss), model: pruned)
        let options = try training.options(epochs: defaults.allocate(rows: labeled.count).epochs, batchSize: defaults.batchSize)
        let (allocated, report) = try ProgressDisplay(quiet: output.quiet || !RankOutput.isRoot).showing {
            try step { () throws(WorkflowError) in try Workflow.allocate(pruned, data: labeled, options: options) }
        }
        warnIfUseless(report.training, "the allocated source model", data: labeled, loss: allocated.loss, quiet: output.quiet)
        try step { () throws(WorkflowError) in try allocated.saveOnRoot(to: output.out, overwrite: output.force) }
        printSummary([
            ("command", .text("allocate")), ("model", .text(output.out)), ("rows", .integer(labeled.count)),
            ("epochs", .integer(options.epochs)), ("source_\(report.training.metric)", .score(report.training)),
            ("validation_\(report.training.metric)", .score(report.validation)), ("seconds", .number(report.seconds)),
        ], json: output.json)
    }
}
