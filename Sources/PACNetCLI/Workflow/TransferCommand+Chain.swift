import PACNN
import PACNet
import PACWorkflow

extension TransferCommand {
    /// `transfer --source-model <calibrated> --task NAME`: the model's last task (trained on
    /// `--source`) makes room, and the new task (`--target`) is calibrated with the same
    /// selection options as a transfer, through `Workflow.addTask`.
    func addTask(to model: ModelFile, lambda: Tunable<PenaltyStrength>, settings: TargetSettings) throws {
        guard let task else {
            throw CLIError("\(sourceModel!) is already calibrated (tasks \(model.taskNames.joined(separator: ", "))): add another task with --task NAME")
        }
        guard task != TaskSide.target.rawValue else { throw CLIError("\(sourceModel!) already has its target task; name the new task with --task") }
        guard model.stage == .calibrated else {
            throw CLIError("--task adds a task to a calibrated model, but \(sourceModel!) is at stage '\(model.stage.rawValue)'")
        }
        guard ratio == "0.8" || ratio == model.ratio.map({ "\($0)" }) else {
            throw CLIError("--ratio: the source's pruning ratio is fixed by the model's masks; adding a task chooses --keep instead")
        }
        let loss = try DataOptions.parseLoss(self.loss, default: model.loss)
        let layout = InputLayout(for: model.architecture)
        let features = try DataOptions.list(self.features, option: "--features")
        let previous = try DataOptions.load(path: source, labels: sourceLabels, names: sourceNames, features: features, targets: nil,
                                            loss: loss, model: model, task: model.taskNames.last!, layout: layout)
        let data = try DataOptions.load(path: target, labels: targetLabels, names: targetNames, features: features,
                                        targets: try DataOptions.list(targetTargets, option: "--target-targets"),
                                        loss: loss, model: model, task: task, layout: layout)
        var schedules = StageSchedules.defaults(images: model.architecture.takesImages)
        if let targetEpochs { (schedules.targetEpochs, schedules.targetMinimumSteps) = (targetEpochs, 0) }
        do {
            schedules.learningRate = try LearningRate(learningRate)
            try schedules.validate()
        } catch { throw CLIError(error) }
        guard seed >= 0 else { throw CLIError("--seed must be >= 0, got \(seed)") }
        let options = TrainingOptions(epochs: schedules.targetEpochs, batchSize: schedules.targetBatchCap,
                                      learningRate: schedules.learningRate.value, seed: UInt64(seed))
        var chain = ChainOptions()
        chain.task = task
        chain.keep = keep
        chain.reading = reading
        let (result, report, fields) = try chain.add(to: model, data: data, previous: previous, lambda: lambda, settings: settings,
                                                     schedules: schedules, options: options, quiet: output.quiet)
        warnIfUseless(report.calibration.training, "the new task's model", data: data, loss: loss, quiet: output.quiet)
        try step { () throws(WorkflowError) in try result.saveOnRoot(to: output.out, overwrite: output.force) }
        printSummary([("command", .text("transfer")), ("source_model", .text(sourceModel!)), ("model", .text(output.out)),
                      ("source_rows", .integer(previous.count)), ("target_rows", .integer(data.count))] + fields + [
            ("target_epochs", .integer(report.calibration.epochs)), ("target_train_\(report.calibration.training.metric)", .score(report.calibration.training)),
        ] + CalibrateCommand.selectionFields(report.calibration.selection, lambda: lambda, settings: settings), json: output.json)
    }
}
