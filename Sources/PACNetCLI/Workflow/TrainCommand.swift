import ArgumentParser
import PACNet
import PACWorkflow

/// `pacnet train`: train a network on source data and save it.
struct TrainCommand: DataParallelCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a network on (source) data and write a model file.")

    @OptionGroup var data: DataOptions
    @Option(help: "Architecture, e.g. mlp:10-100-100-100-1:relu (inputs must match the feature count), or for .npy images resnet:<blocks>:<widths>:<channels>:heads=<attributes> (trailing parts may be left out: --arch resnet takes channels and attributes from the data).")
    var arch: String
    @OptionGroup var standardization: StandardizationFlag
    @OptionGroup var training: TrainingFlags
    @OptionGroup var output: OutputOptions

    func runOnEveryRank() throws {
        try output.checkWritable()
        // The kind first (it says how to read the data), then, for images, the parts taken from the data.
        let placeholder = ResNetArchitecture(channels: 1, headOutputs: [1])
        let kind = try step { () throws(WorkflowError) in try Architecture(parsing: arch, imageDefaults: placeholder) }
        let loss = try data.parsedLoss(default: kind.takesImages ? .bce : .mse)
        let labeled = try data.load(loss: loss, architecture: kind)
        let architecture = try step { () throws(WorkflowError) in
            guard kind.takesImages, labeled.inputs.rank == 4 else { return try Architecture(parsing: arch) }
            return try Architecture(parsing: arch, imageDefaults: ResNetArchitecture(channels: labeled.inputs.shape[1],
                                                                                      headOutputs: [labeled.targets.shape[1]]))
        }
        let defaults = StageSchedules.defaults(images: architecture.takesImages)
        let options = try training.options(epochs: defaults.source(rows: labeled.count).epochs, batchSize: defaults.batchSize)
        let (model, report) = try ProgressDisplay(quiet: output.quiet || !RankOutput.isRoot).showing {
            try step { () throws(WorkflowError) in
                try Workflow.train(data: labeled, architecture: architecture, loss: loss, options: options,
                                   standardize: standardization.enabled(images: architecture.takesImages))
            }
        }
        noteClassLikeTargets(labeled, loss: loss, quiet: output.quiet)
        warnIfUseless(report.training, "the trained model", data: labeled, loss: loss, quiet: output.quiet)
        try step { () throws(WorkflowError) in try model.saveOnRoot(to: output.out, overwrite: output.force) }
        printSummary([
            ("command", .text("train")), ("model", .text(output.out)), ("architecture", .text(architecture.description)),
            ("loss", .text(loss.rawValue)), ("rows", .integer(report.training.samples)),
            ("validation_rows", .integer(report.validation?.samples ?? 0)), ("epochs", .integer(options.epochs)),
            ("train_\(report.training.metric)", .score(report.training)),
            ("validation_\(report.training.metric)", .score(report.validation)), ("seconds", .number(report.seconds)),
        ], json: output.json)
    }
}
