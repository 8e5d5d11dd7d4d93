import PACEngine
import PACNN
import PACNet

extension Workflow {
    /// What adding a task reported: the new task's calibration and the release of the task before it.
    public struct TaskAddition: Sendable {
        public let calibration: CalibrationReport
        /// The task that made room (the file's last task before).
        public let released: String
        /// Its score on `previous` before and after its release (pruned to `kept` entries and re-allocated).
        public let releasedBefore: Score
        public let releasedAfter: Score
        /// Entries the released task kept, and those it freed for the new task.
        public let kept: Int
        public let freed: Int
    }

    /// Adds target `name` to a calibrated model (`TaskChain`): the file's last task keeps the
    /// largest `keep` fraction of the entries it owns and is re-allocated on its training rows
    /// `previous` (the rest zeroed and held at zero); then the new task is calibrated on the freed
    /// entries with `lambda * sum w^2` (lambda and the learning rate may be `auto`, chosen by
    /// cross-validation on `data` as in `calibrate`). A ResNet gets a new head of `data`'s width.
    /// Every task before the last predicts exactly as before; the last changes once, by its release.
    /// `reading` (by default the file's) says which entries the targets read; it is chosen with
    /// the first added task and cannot change afterwards.
    public static func addTask(
        _ model: ModelFile, name: String, data: LabeledData, previous: LabeledData?, keep: Double, lambda: Tunable<PenaltyStrength>,
        settings: TargetSettings = TargetSettings(), reading: ChainReading? = nil, schedules: StageSchedules, options: TrainingOptions
    ) throws(WorkflowError) -> (ModelFile, TaskAddition) {
        guard model.stage == .calibrated, let masks = model.masks else {
            throw WorkflowError("adding task \(WorkflowError.quoted(name)) needs a calibrated model (stage 'calibrated'), got stage '\(model.stage.rawValue)'")
        }
        try ChainTaskRecord.checkName(name)
        guard !model.taskNames.contains(name) else {
            throw WorkflowError("the model already has a task \(WorkflowError.quoted(name)) (its tasks: \(model.taskNames.joined(separator: ", ")))")
        }
        if let reading, !model.chainTasks.isEmpty, reading != model.chainReading {
            throw WorkflowError("the model's chain reads '\(model.chainReading.rawValue)' (pacnet.chain_reading), chosen with its first added task; a later task cannot read '\(reading.rawValue)'")
        }
        var model = model
        if let reading { model.chainReading = reading }
        let last = model.taskNames.count - 1, lastName = model.taskNames[last]
        guard let previous else {
            throw WorkflowError("task \(WorkflowError.quoted(name)) needs free entries, and the model has none: its last task, '\(lastName)', owns every entry "
                + "it trained. Give its training data (--previous-data): it keeps the largest --keep fraction of its entries, re-allocated on that data, and frees the rest")
        }
        guard keep > 0 && keep < 1 else { throw WorkflowError("--keep must be between 0 and 1 (exclusive), got \(keep)") }
        let ownership = model.ownership ?? TaskOwnership(masks: masks, target: true)
        let owned = ownership.count(ownedBy: last), kept = ownership.keptCount(last, keeping: keep)
        guard kept >= 1 && kept < owned else {
            throw WorkflowError("--keep \(keep) would leave \(kept == 0 ? "'\(lastName)'" : "task \(WorkflowError.quoted(name))") no entry: '\(lastName)' owns \(owned) and would keep \(kept)")
        }
        try check(previous, fits: model.architecture, loss: model.loss, head: last, task: lastName)
        try checkImageSize(previous.inputs, file: previous.path ?? "the previous task's data", fit: model)
        let widened = try model.addingHead(outputs: data.targets.shape[1], seed: options.seed, stream: "workflow/task-head/\(name)")
        try check(data, fits: widened.architecture, loss: model.loss, head: last + 1, task: name)
        try checkImageSize(data.inputs, file: data.path ?? "the data", fit: model)
        let (fit, validation) = try split(data, options)
        if lambda == .auto || settings.learningRate == .auto, fit.count < 2 { throw WorkflowError("cross-validation needs at least 2 target rows, got \(fit.count)") }
        let ratio: PruningRatio
        if let recorded = model.ratio { ratio = recorded } else { ratio = try Stages.ratio(of: masks) }
        let added = try Stages.addTask(
            widened.network, file: widened, previous: normalize(previous, model.standardization), keep: keep, ratio: ratio, lambda: lambda,
            settings: settings, on: normalize(fit, model.standardization), schedules: schedules, seed: options.seed)

        var result = widened
        result.network = added.network
        result.ownership = added.ownership
        result.chainTasks.append(ChainTaskRecord(name: name, targets: data.targetNames.isEmpty ? nil : data.targetNames,
                                                 lambda: added.calibration.lambda, learningRate: added.calibration.learningRate,
                                                 freedom: settings.freedom))
        // The values every earlier task read, where the new task now trains its own.
        if !added.calibration.sourceCopies.isEmpty {
            if result.sourceCopies.isEmpty { result.sourceCopies = added.calibration.sourceCopies }
            for task in model.taskNames.dropFirst() where result.targetCopies[task] == nil {
                result.targetCopies[task] = added.calibration.sourceCopies
            }
        }
        func score(_ file: ModelFile, _ task: String, _ rows: LabeledData) throws(WorkflowError) -> Score {
            Score.of(try file.model(forTask: task), on: rows, loss: file.loss, standardization: file.standardization)
        }
        let calibration = CalibrationReport(
            training: try score(result, name, fit), validation: try validation.map { (rows) throws(WorkflowError) in try score(result, name, rows) },
            seconds: added.calibration.seconds, epochs: schedules.target(rows: fit.count).epochs, selection: added.calibration.selection)
        let report = TaskAddition(calibration: calibration, released: lastName, releasedBefore: try score(model, lastName, previous),
                                  releasedAfter: try score(result, lastName, previous), kept: kept, freed: owned - kept)
        return (result, report)
    }
}

extension Stages {
    /// What adding a task produced.
    struct AddedTask {
        let network: any Layer
        let ownership: TaskOwnership
        /// The new task's calibration; its `sourceCopies` are the values the earlier tasks read,
        /// when the new task trained its own.
        let calibration: Calibration
    }

    /// Releases the file's last task on `previous`, then calibrates the new task on the freed
    /// entries through `TransferPipeline` (selecting lambda and the learning rate when `auto`):
    /// the network of every task so far is the "source" whose entries stay frozen.
    static func addTask<Network: Layer>(
        _ network: Network, file: ModelFile, previous: Dataset, keep: Double, ratio: PruningRatio, lambda: Tunable<PenaltyStrength>,
        settings: TargetSettings, on data: Dataset, schedules: StageSchedules, seed: UInt64
    ) throws(WorkflowError) -> AddedTask {
        var chain = ModelFile.chain(of: file, network)
        let last = chain.count - 1
        var rng = RandomGenerator(seed: seed, stream: "workflow/release")
        // The released task keeps its calibration's penalty and learning rate.
        let (releaseLambda, rate) = file.chainTasks.last.map { ($0.lambda, $0.learningRate) } ?? (file.lambda ?? .paperDefault, file.learningRate)
        var schedule = schedules.target(rows: previous.count)
        if let rate { schedule.learningRate = rate.value }
        do {
            chain = try TrainingProgress.stage("release") { () throws(TrainingError) in
                try chain.released(keeping: keep, on: previous, loss: file.loss, schedule: schedule, lambda: releaseLambda, rng: &rng)
            }
        } catch { throw WorkflowError(error) }
        let everyTask = PACNetModel(network: chain.network, masks: chain.ownership.reads(last), targetHead: chain.count)
        let pipeline = TransferPipeline(allocated: [(ratio, everyTask)], loss: file.loss, schedules: schedules)
        do {
            let outcome = try pipeline.transfer(.pacnet(ratio: .fixed(ratio), lambda: lambda, freedom: settings.freedom),
                                                learningRate: settings.learningRate, target: data, streams: Workflow.calibrationStreams(seed))
            return AddedTask(network: outcome.result.targetModel, ownership: chain.ownership.assigningFree(to: chain.count),
                             calibration: Calibration(outcome))
        } catch { throw WorkflowError(error) }
    }
}
