import ArgumentParser
import Foundation
import PACEngine
import PACIO
import PACNN
import PACNet
import PACWorkflow

/// `pacnet transfer`: train (or import) a source model, prune, allocate and calibrate in one go.
struct TransferCommand: DataParallelCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Source data (or a source model) + target data -> one PAC-Net model file serving both tasks.",
        discussion: """
            Tables: CSV files (name the targets with --targets), or .npy features (N x F) with \
            --source-labels/--target-labels (N x T).

            Images: uint8 .npy arrays N x H x W x C (the same H, W, C for source and target) with \
            0/1 attribute arrays N x A (uint8, bool, int or float) as --source-labels and \
            --target-labels; the source and target attributes are two different tasks and may differ \
            in number. Attribute names, optional: --source-names/--target-names, text files with \
            one name per line. A rank-4 .npy source selects the default image model, a ResNet-8 \
            with one head per task (resnet:1:16-32-64:<C>:heads=<A_source>,<A_target>, loss bce, \
            score mean per-attribute accuracy); --arch resnet:<blocks>:<widths> overrides it. \
            Default image schedule: source 8 epochs, allocation 3, target max(30 epochs, 300 steps) \
            at batch min(rows, 64). Making the files with NumPy and Pillow:

              x = [np.asarray(Image.open(p).convert('RGB').resize((32,32))) for p in paths]
              np.save('images.npy', np.stack(x).astype(np.uint8))
              np.save('attrs.npy', (df[cols].values > 0).astype(np.uint8))  # CelebA: -1/1

            Example: pacnet transfer --source src.npy --source-labels src_attrs.npy --source-names src_names.txt \
            --target tgt.npy --target-labels tgt_attrs.npy --target-names tgt_names.txt --out model.safetensors
            """)

    @Option(help: "Source data: CSV, .npy features, or .npy uint8 images N x H x W x C (then --source-labels).")
    var source: String
    @Option(name: .customLong("source-labels"), help: "Source targets as .npy (images: N x A 0/1 attributes).")
    var sourceLabels: String?
    @Option(name: .customLong("source-names"), help: "Names of the source label columns: a text file, one per line.")
    var sourceNames: String?
    @Option(help: "Target data: CSV, .npy features, or .npy uint8 images (then --target-labels).")
    var target: String
    @Option(name: .customLong("target-labels"), help: "Target targets as .npy (images: N x A 0/1 attributes).")
    var targetLabels: String?
    @Option(name: .customLong("target-names"), help: "Names of the target label columns: a text file, one per line.")
    var targetNames: String?
    @Option(help: "Comma-separated feature columns (default: every non-target column).")
    var features: String?
    @Option(help: "Comma-separated columns to leave out of the default features (ids, names).")
    var exclude: String?
    @Option(help: "Comma-separated target columns of the source CSV.")
    var targets: String?
    @Option(name: .customLong("target-targets"), help: "Target columns of the target CSV, if named differently.")
    var targetTargets: String?
    @Option(help: "Loss: mse, bce or ce (default: mse; bce for images; or the source model's).")
    var loss: String?
    @Option(help: "Architecture for a new source model, e.g. mlp:10-100-100-100-1:relu (images: resnet:1:16-32-64 by default).")
    var arch: String?
    @Option(name: .customLong("source-model"), help: "Start from this trained model instead of training one (a PyTorch file needs --arch).")
    var sourceModel: String?
    @OptionGroup var standardization: StandardizationFlag
    @Option(parsing: .unconditional, help: ArgumentHelp(stringLiteral: AutoOption.ratioHelp))
    var ratio: String = "0.8"
    @Option(name: .customLong("lambda"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: AutoOption.lambdaHelp))
    var lambda: String = "0.01"
    @OptionGroup var targetOptions: TargetOptions
    @Option(name: .customLong("source-epochs"), help: ArgumentHelp(stringLiteral: "Default: \(StageSchedules.tabular.sourceEpochs); images \(StageSchedules.images.sourceEpochs)."))
    var sourceEpochs: Int?
    @Option(name: .customLong("allocate-epochs"), help: ArgumentHelp(stringLiteral: "Default: \(StageSchedules.tabular.allocateEpochs); images \(StageSchedules.images.allocateEpochs)."))
    var allocateEpochs: Int?
    @Option(name: .customLong("target-epochs"), help: ArgumentHelp(stringLiteral: "Default: \(StageSchedules.tabular.targetDescription); images \(StageSchedules.images.targetDescription)."))
    var targetEpochs: Int?
    @Option(name: .customLong("batch-size"), help: ArgumentHelp(stringLiteral: "Source and allocation batch size (default \(StageSchedules.tabular.batchSize)); target batches follow --target-epochs' rule."))
    var batchSize: Int = StageSchedules.tabular.batchSize
    @Option(name: .customLong("learning-rate"), parsing: .unconditional) var learningRate: Double = 1e-3
    @Option(parsing: .unconditional) var seed: Int = 0
    @Option(name: .customLong("save-stages"), help: "Also write trained/pruned/allocated model files into this directory.")
    var saveStages: String?
    @Option(help: "With a calibrated --source-model: add a task of this name (a chain of tasks on one network); --source is then the training data of the model's last task, which keeps the largest --keep fraction of its entries and frees the rest.")
    var task: String?
    @Option(parsing: .unconditional, help: "With --task: the fraction of its entries the model's last task keeps (0 < keep < 1).")
    var keep: Double = 0.5
    @Option(parsing: .unconditional, help: ArgumentHelp(stringLiteral: ChainOptions.readingHelp))
    var reading: String?
    @OptionGroup var output: OutputOptions

    func runOnEveryRank() throws {
        let ratioSetting = try AutoOption.ratio(ratio), lambdaSetting = try AutoOption.lambda(lambda)
        let settings = try targetOptions.settings()
        guard arch != nil || sourceModel != nil || source.lowercased().hasSuffix(".npy") else {
            throw CLIError("give --arch (to train a source model) or --source-model")
        }
        guard seed >= 0 else { throw CLIError("--seed must be >= 0, got \(seed)") }
        try output.checkWritable()
        if let saveStages { try Self.checkStagesFolder(saveStages, force: output.force) }

        // What the inputs are: the source model's or --arch's kind, else the .npy's rank. The
        // --arch syntax is checked here, before any data is read (its image defaults come later).
        var trained: ModelFile?
        if let sourceModel {
            guard standardization.standardize != true else {
                throw CLIError("--standardize applies when training the source model here; a given --source-model keeps the input scaling it was trained with")
            }
            trained = try loadModel(sourceModel, arch: arch)
            if let calibrated = trained, calibrated.stage == .calibrated || task != nil {
                return try addTask(to: calibrated, lambda: lambdaSetting, settings: settings)
            }
        }
        if task != nil { throw CLIError("--task adds a task to a calibrated model: give it as --source-model") }
        if reading != nil { throw CLIError("--reading needs --task NAME (a task to add to a calibrated --source-model)") }
        let layout: InputLayout
        if let trained {
            layout = InputLayout(for: trained.architecture)
        } else if let arch {
            let placeholder = ResNetArchitecture(channels: 1, headOutputs: [1, 1])
            layout = InputLayout(for: try step { () throws(WorkflowError) in try Architecture(parsing: arch, imageDefaults: placeholder) })
        } else {
            layout = .byRank
        }
        // Files from PyTorch carry no loss; an explicit --loss says what it was trained for.
        let lossValue = try DataOptions.parseLoss(loss, default: trained?.loss ?? (layout == .features ? .mse : .bce))
        trained?.loss = lossValue

        // Every file is read and checked before any training starts.
        let featureNames = try DataOptions.list(features, option: "--features"), sourceTargets = try DataOptions.list(targets, option: "--targets")
        let excluded = try DataOptions.list(exclude, option: "--exclude")
        let sourceData = try DataOptions.load(path: source, labels: sourceLabels, names: sourceNames, features: featureNames,
                                              exclude: excluded, targets: sourceTargets, loss: lossValue, model: trained, layout: layout)
        let images = sourceData.imageSize != nil
        // Image tasks have their own attributes: the source's names never label the target's columns.
        // The target file gets the source's columns, so the same features are read from both.
        let targetData = try DataOptions.load(path: target, labels: targetLabels, names: targetNames,
                                              features: featureNames ?? (images ? nil : sourceData.featureNames),
                                              targets: try DataOptions.list(targetTargets, option: "--target-targets") ?? (images ? [] : sourceTargets),
                                              loss: lossValue, model: images ? nil : trained, layout: layout)
        let architecture: Architecture
        if let trained {
            architecture = trained.architecture
        } else if images {
            let defaults = ResNetArchitecture(channels: sourceData.inputs.shape[1],
                                              headOutputs: [sourceData.targets.shape[1], targetData.targets.shape[1]])
            architecture = try step { () throws(WorkflowError) in try Architecture(parsing: arch ?? "resnet", imageDefaults: defaults) }
        } else {
            guard let arch else {
                throw CLIError("\(source) is not an image array (uint8 N x H x W x C; add a channel axis to grayscale with x[..., None]); for feature rows give --arch (e.g. mlp:\(sourceData.inputs.shape[1])-100-100-\(sourceData.targets.shape[1]):relu) or --source-model")
            }
            architecture = try step { () throws(WorkflowError) in try Architecture(parsing: arch) }
        }
        try step { () throws(WorkflowError) in
            try Workflow.checkSameImages(source: sourceData, target: targetData)
            if let trained {
                try Workflow.check(sourceData, fits: trained, task: .source)
                try Workflow.check(targetData, fits: trained, task: .target)
            } else {
                try Workflow.check(sourceData, fits: architecture, loss: lossValue, task: .source)
                try Workflow.check(targetData, fits: architecture, loss: lossValue, task: .target)
            }
        }
        // Every candidate ratio must leave both tasks some weights of this architecture.
        try step { () throws(WorkflowError) in
            var rng = RandomGenerator(seed: 0, stream: "check")
            let ratios = ratioSetting.fixedValue.map { [$0] } ?? HyperparameterSelection().ratios
            try Workflow.checkPruning(ratios.map { MagnitudePruning(ratio: $0) }, network: trained?.network ?? architecture.makeNetwork(rng: &rng))
        }
        var schedules = StageSchedules.defaults(images: images)
        if let sourceEpochs { (schedules.sourceEpochs, schedules.sourceMinimumSteps) = (sourceEpochs, 0) }
        if let allocateEpochs { (schedules.allocateEpochs, schedules.allocateMinimumSteps) = (allocateEpochs, 0) }
        if let targetEpochs {
            schedules.targetEpochs = targetEpochs
            schedules.targetMinimumSteps = 0
        }
        schedules.batchSize = batchSize
        do {
            schedules.learningRate = try LearningRate(learningRate)
            try schedules.validate()
        } catch {
            throw CLIError(error)
        }

        let (trainedModel, report) = try ProgressDisplay(quiet: output.quiet || !RankOutput.isRoot).showing { () throws -> (ModelFile, Workflow.TransferReport) in
            var trainedModel: ModelFile
            if var trained {
                // Imported files do not know their columns; record them so later commands can find them.
                trained.features = trained.features ?? (images ? nil : sourceData.featureNames)
                trained.targets = trained.targets ?? sourceData.targetNames
                trained.imageSize = trained.imageSize ?? sourceData.imageSize
                trainedModel = trained
            } else {
                let options = TrainingOptions(epochs: schedules.source(rows: sourceData.count).epochs, batchSize: schedules.batchSize,
                                              learningRate: schedules.learningRate.value, seed: UInt64(seed))
                (trainedModel, _) = try step { () throws(WorkflowError) in
                    try Workflow.train(data: sourceData, architecture: architecture, loss: lossValue, options: options,
                                       standardize: standardization.enabled(images: images))
                }
            }
            let report = try step { () throws(WorkflowError) in
                try Workflow.transfer(trainedModel, source: sourceData, target: targetData, ratio: ratioSetting, lambda: lambdaSetting,
                                      settings: settings, schedules: schedules, seed: UInt64(seed))
            }
            return (trainedModel, report)
        }
        let sourceScore = try step { () throws(WorkflowError) in try Workflow.evaluate(trainedModel, data: sourceData, task: .source) }
        if trained == nil {
            noteClassLikeTargets(sourceData, loss: lossValue, quiet: output.quiet)
            warnIfUseless(sourceScore, "the trained source model", data: sourceData, loss: lossValue, quiet: output.quiet)
        }
        warnIfUseless(report.targetTraining, "the calibrated target model", data: targetData, loss: lossValue, quiet: output.quiet)

        if let saveStages {
            do { try FileManager.default.createDirectory(atPath: saveStages, withIntermediateDirectories: false) } catch {
                if !Self.isFolder(saveStages) { throw CLIError("--save-stages \(saveStages): cannot create the folder") }
            }
            for (name, model) in [("trained", trainedModel), ("pruned", report.pruned), ("allocated", report.allocated)] {
                try step { () throws(WorkflowError) in try model.saveOnRoot(to: Self.stagePath(saveStages, name), overwrite: output.force) }
            }
        }
        let calibrated = report.calibrated
        try step { () throws(WorkflowError) in try calibrated.saveOnRoot(to: output.out, overwrite: output.force) }
        var fields: [(String, SummaryValue)] = [("command", .text("transfer"))]
        if let sourceModel { fields.append(("source_model", .text(sourceModel))) }
        if let selection = report.selection {
            fields += [("selection", .text(AutoOption.selectionText(ratio: ratioSetting, lambda: lambdaSetting, learningRate: settings.learningRate))),
                       ("selection_seconds", .number(selection.seconds))]
        }
        let metric = sourceScore.metric
        fields += [("model", .text(output.out)), ("architecture", .text(calibrated.architecture.description))]
        if let size = sourceData.imageSize { fields.append(("image_size", .text(size.description))) }
        fields += [
            ("source_rows", .integer(sourceData.count)), ("target_rows", .integer(targetData.count)),
            ("ratio", .number(calibrated.ratio!.value)), ("lambda", .number(Double(calibrated.lambda!.description)!)),
        ]
        fields += TargetOptions.fields(settings, model: calibrated)
        fields += [
            ("source_epochs", .integer(trained == nil ? schedules.source(rows: sourceData.count).epochs : 0)),
            ("allocate_epochs", .integer(schedules.allocate(rows: sourceData.count).epochs)),
            ("target_epochs", .integer(report.targetEpochs)),
            ("source_\(metric)_trained", .score(sourceScore)), ("source_\(metric)_allocated", .score(report.sourceAllocated)),
            ("source_\(metric)_after_transfer", .score(report.sourceAfterTransfer)), ("target_train_\(metric)", .score(report.targetTraining)),
        ]
        printSummary(fields, json: output.json)
    }

    /// The stage files `--save-stages` writes.
    static let stageNames = ["trained", "pruned", "allocated"]

    static func stagePath(_ folder: String, _ name: String) -> String {
        (folder as NSString).appendingPathComponent("\(name).safetensors")
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Checks the `--save-stages` folder before any work: an existing folder whose stage files
    /// can be written, or a new folder in an existing, writable one.
    static func checkStagesFolder(_ folder: String, force: Bool) throws {
        if isFolder(folder) {
            for name in stageNames { try OutputOptions.check(stagePath(folder, name), force: force) }
        } else if FileManager.default.fileExists(atPath: folder) {
            throw CLIError("--save-stages \(folder): exists and is not a folder")
        } else {
            // Created after training: it is a new entry of its parent folder, checked like an output.
            do { _ = try AtomicFile.destination(of: folder, overwrite: false) } catch { throw CLIError("--save-stages \(error.description)") }
        }
    }
}
