import ArgumentParser
import Foundation
import PACNN
import PACNet
import PACWorkflow

/// `pacnet transfer`: train (or import) a source model, prune, allocate and calibrate in one go.
struct TransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Source data (or a source model) + target data -> one PAC-Net model file serving both tasks.")

    @Option(help: "Source data: CSV, or .npy features (then --source-labels).")
    var source: String
    @Option(name: .customLong("source-labels"), help: "Source targets as .npy.")
    var sourceLabels: String?
    @Option(help: "Target data: CSV, or .npy features (then --target-labels).")
    var target: String
    @Option(name: .customLong("target-labels"), help: "Target targets as .npy.")
    var targetLabels: String?
    @Option(help: "Comma-separated feature columns (default: every non-target column).")
    var features: String?
    @Option(help: "Comma-separated target columns of the source CSV.")
    var targets: String?
    @Option(name: .customLong("target-targets"), help: "Target columns of the target CSV, if named differently.")
    var targetTargets: String?
    @Option(help: "Loss: mse, bce or ce (default: mse, or the source model's).")
    var loss: String?
    @Option(help: "Architecture for a new source model, e.g. mlp:10-100-100-100-1:relu.")
    var arch: String?
    @Option(name: .customLong("source-model"), help: "Start from this trained model instead of training one (a PyTorch file needs --arch).")
    var sourceModel: String?
    @Flag(help: "Standardize inputs (and regression targets) with the source data's statistics.")
    var standardize = false
    @Option(parsing: .unconditional, help: "Fraction of weights pruned, in (0, 1).")
    var ratio: Double = 0.8
    @Option(name: .customLong("lambda"), parsing: .unconditional, help: "Penalty on the pruned weights (>= 0).")
    var lambda: Double = 0.01
    @Option(name: .customLong("source-epochs")) var sourceEpochs: Int = 60
    @Option(name: .customLong("allocate-epochs")) var allocateEpochs: Int = 30
    @Option(name: .customLong("target-epochs")) var targetEpochs: Int = 300
    @Option(name: .customLong("batch-size"), help: "Source batch size (target batches: min(rows, 32)).")
    var batchSize: Int = 128
    @Option(name: .customLong("learning-rate"), parsing: .unconditional) var learningRate: Double = 1e-3
    @Option(parsing: .unconditional) var seed: Int = 0
    @Option(name: .customLong("save-stages"), help: "Also write trained/pruned/allocated model files into this directory.")
    var saveStages: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard ratio > 0 && ratio < 1 else { throw CLIError("--ratio must be in (0, 1), got \(ratio)") }
        guard lambda >= 0 && lambda.isFinite else { throw CLIError("--lambda must be a finite number >= 0, got \(lambda)") }
        guard arch != nil || sourceModel != nil else { throw CLIError("give --arch (to train a source model) or --source-model") }
        guard seed >= 0 else { throw CLIError("--seed must be >= 0, got \(seed)") }
        try output.checkWritable()
        let lossValue = try DataOptions.parseLoss(loss, default: .mse)
        let base = TrainingOptions(epochs: 1, batchSize: batchSize, learningRate: Float(learningRate), seed: UInt64(seed))
        func stageOptions(_ epochs: Int, _ batch: Int) throws -> TrainingOptions {
            var options = base
            options.epochs = epochs
            options.batchSize = batch
            if let problem = options.validationError() { throw CLIError(problem) }
            return options
        }
        let featureNames = DataOptions.list(features), sourceTargets = DataOptions.list(targets)
        func loadSource(_ loss: Loss, _ model: ModelFile?) throws -> LabeledData {
            try DataOptions.load(path: source, labels: sourceLabels, features: featureNames, targets: sourceTargets, loss: loss, model: model)
        }

        var fields: [(String, SummaryValue)] = [("command", .text("transfer"))]
        var trained: ModelFile
        let sourceData: LabeledData
        // Every file is read and checked before any training starts.
        func loadTarget(_ model: ModelFile?, _ loss: Loss) throws -> LabeledData {
            try DataOptions.load(path: target, labels: targetLabels, features: featureNames,
                                 targets: DataOptions.list(targetTargets) ?? sourceTargets, loss: loss, model: model)
        }
        let targetData: LabeledData
        if let sourceModel {
            guard !standardize else {
                throw CLIError("--standardize applies when training the source model here; a given --source-model keeps the input scaling it was trained with")
            }
            trained = try loadModel(sourceModel, arch: arch)
            // Files from PyTorch carry no loss; an explicit --loss says what it was trained for.
            if loss != nil { trained.loss = lossValue }
            sourceData = try loadSource(trained.loss, trained)
            // Imported files do not know their columns; record them so later commands can find them.
            trained.features = trained.features ?? sourceData.featureNames
            trained.targets = trained.targets ?? sourceData.targetNames
            targetData = try loadTarget(trained, trained.loss)
            fields.append(("source_model", .text(sourceModel)))
        } else {
            let architecture = try step { () throws(WorkflowError) in try Architecture(parsing: arch!) }
            sourceData = try loadSource(lossValue, nil)
            targetData = try loadTarget(nil, lossValue)
            let options = try stageOptions(sourceEpochs, batchSize)
            let progress = ProgressDisplay("train", quiet: output.quiet)
            (trained, _) = try step { () throws(WorkflowError) in
                try Workflow.train(data: sourceData, architecture: architecture, loss: lossValue, options: options,
                                   standardize: standardize, onStep: progress.update)
            }
            progress.finish()
        }
        let sourceScore = try step { () throws(WorkflowError) in try Workflow.evaluate(trained, data: sourceData, task: .source) }

        let pruned = try step { () throws(WorkflowError) in try Workflow.prune(trained, pruning: MagnitudePruning(ratio: ratio)) }
        let allocateOptions = try stageOptions(allocateEpochs, batchSize)
        let allocateProgress = ProgressDisplay("allocate", quiet: output.quiet)
        let (allocated, allocateReport) = try step { () throws(WorkflowError) in
            try Workflow.allocate(pruned, data: sourceData, options: allocateOptions, onStep: allocateProgress.update)
        }
        allocateProgress.finish()
        let calibrateOptions = try stageOptions(targetEpochs, 32)
        let calibrateProgress = ProgressDisplay("calibrate", quiet: output.quiet)
        let (calibrated, calibrateReport) = try step { () throws(WorkflowError) in
            try Workflow.calibrate(allocated, data: targetData, lambda: Float(lambda), options: calibrateOptions,
                                   onStep: calibrateProgress.update)
        }
        calibrateProgress.finish()
        let sourceAfter = try step { () throws(WorkflowError) in try Workflow.evaluate(calibrated, data: sourceData, task: .source) }

        if let saveStages {
            try FileManager.default.createDirectory(atPath: saveStages, withIntermediateDirectories: true)
            for (name, model) in [("trained", trained), ("pruned", pruned), ("allocated", allocated)] {
                let path = (saveStages as NSString).appendingPathComponent("\(name).safetensors")
                try step { () throws(WorkflowError) in try model.save(to: path, overwrite: output.force) }
            }
        }
        try step { () throws(WorkflowError) in try calibrated.save(to: output.out, overwrite: output.force) }
        let metric = sourceScore.metric
        fields += [
            ("model", .text(output.out)), ("architecture", .text(calibrated.architecture.description)),
            ("source_rows", .integer(sourceData.count)), ("target_rows", .integer(targetData.count)),
            ("ratio", .number(ratio)), ("lambda", .number(lambda)),
            ("source_\(metric)_trained", .score(sourceScore)), ("source_\(metric)_allocated", .score(allocateReport.training)),
            ("source_\(metric)_after_transfer", .score(sourceAfter)), ("target_train_\(metric)", .score(calibrateReport.training)),
        ]
        printSummary(fields, json: output.json)
    }
}
