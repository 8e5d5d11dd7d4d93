import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet train`: train a network on source data and save it.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a network on (source) data and write a model file.")

    @OptionGroup var data: DataOptions
    @Option(help: "Architecture, e.g. mlp:10-100-100-100-1:relu (inputs must match the feature count), or for .npy images resnet:1:16-32-64:3:heads=<source attributes>,<target attributes>.")
    var arch: String
    @Flag(help: "Standardize inputs (and regression targets) with this data's statistics, stored in the model.")
    var standardize = false
    @OptionGroup var training: TrainingFlags
    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.checkWritable()
        let architecture = try step { () throws(WorkflowError) in try Architecture(parsing: arch) }
        let loss = try data.parsedLoss(default: architecture.takesImages ? .bce : .mse)
        let defaults = StageSchedules.defaults(images: architecture.takesImages)
        let options = try training.options(epochs: defaults.sourceEpochs, batchSize: defaults.batchSize)
        let labeled = try data.load(loss: loss, architecture: architecture)
        let (model, report) = try ProgressDisplay(quiet: output.quiet).showing {
            try step { () throws(WorkflowError) in
                try Workflow.train(data: labeled, architecture: architecture, loss: loss, options: options, standardize: standardize)
            }
        }
        try step { () throws(WorkflowError) in try model.save(to: output.out, overwrite: output.force) }
        printSummary([
            ("command", .text("train")), ("model", .text(output.out)), ("architecture", .text(architecture.description)),
            ("loss", .text(loss.rawValue)), ("rows", .integer(report.training.samples)),
            ("validation_rows", .integer(report.validation?.samples ?? 0)), ("epochs", .integer(options.epochs)),
            ("train_\(report.training.metric)", .score(report.training)),
            ("validation_\(report.training.metric)", .score(report.validation)), ("seconds", .number(report.seconds)),
        ], json: output.json)
    }
}
