import PACEngine
import PACNN
import PACNet

extension Workflow {
    /// What `transfer` produced: the model file of every stage and the scores on the training rows.
    public struct TransferReport {
        /// The files of the chosen ratio at stage `pruned` and `allocated`, and the calibrated file.
        public let pruned: ModelFile
        public let allocated: ModelFile
        public let calibrated: ModelFile
        /// The source model on the source rows after allocation and after calibration (equal:
        /// calibration does not touch the source model).
        public let sourceAllocated: Score
        public let sourceAfterTransfer: Score
        /// The target model on the target rows.
        public let targetTraining: Score
        /// Target epochs of the final calibration.
        public let targetEpochs: Int
        /// Cross-validation's details when the ratio, lambda or learning rate was `auto`.
        public let selection: HyperparameterSelection.Choice?
    }

    /// PAC-Net from a trained model file in one call (`TransferPipeline`): prune and allocate
    /// each candidate ratio on the source rows, choose `auto` settings by cross-validation on
    /// the target rows, and calibrate on all target rows.
    /// A single-task image model first gets a target head of the target data's width.
    public static func transfer(
        _ given: ModelFile, source: LabeledData, target: LabeledData, ratio: Tunable<PruningRatio>,
        lambda: Tunable<PenaltyStrength>, settings: TargetSettings = TargetSettings(), schedules: StageSchedules, seed: UInt64
    ) throws(WorkflowError) -> TransferReport {
        let trained = given.lacksTargetHead ? try given.addingTargetHead(outputs: target.targets.shape[1], seed: seed) : given
        guard trained.stage == .trained else {
            throw WorkflowError("the model is already at stage '\(trained.stage.rawValue)'; transfer starts from a trained (unpruned) model")
        }
        try checkSameImages(source: source, target: target)
        try check(source, fits: trained, task: .source)
        try check(target, fits: trained, task: .target)
        if ratio == .auto || lambda == .auto || settings.learningRate == .auto, target.count < 2 {
            throw WorkflowError("cross-validation needs at least 2 target rows, got \(target.count)")
        }
        let run = try Stages.transfer(trained.network, source: normalize(source, trained.standardization),
                                      target: normalize(target, trained.standardization), loss: trained.loss,
                                      ratio: ratio, lambda: lambda, settings: settings, schedules: schedules, seed: seed)
        var pruned = trained
        pruned.network = run.pruned
        pruned.masks = run.masks
        pruned.stage = .pruned
        pruned.ratio = run.ratio
        var allocated = pruned
        allocated.network = run.allocated
        allocated.stage = .allocated
        var calibrated = allocated
        calibrated.network = run.calibration.network
        calibrated.sourceCopies = run.calibration.sourceCopies
        calibrated.learningRate = run.calibration.learningRate
        calibrated.stage = .calibrated
        calibrated.lambda = run.calibration.lambda
        calibrated.targetTaskTargets = target.targetNames
        func score(_ model: ModelFile, _ side: TaskSide, _ data: LabeledData) throws(WorkflowError) -> Score {
            Score.of(try model.model(for: side), on: data, loss: model.loss, standardization: model.standardization)
        }
        return TransferReport(
            pruned: pruned, allocated: allocated, calibrated: calibrated,
            sourceAllocated: try score(allocated, .source, source), sourceAfterTransfer: try score(calibrated, .source, source),
            targetTraining: try score(calibrated, .target, target), targetEpochs: schedules.target(rows: target.count).epochs,
            selection: run.calibration.selection)
    }

    /// What calibration reports besides the model.
    public struct CalibrationReport: Sendable {
        /// Score on the rows used for training.
        public let training: Score
        /// Score on the held-out validation rows, if any.
        public let validation: Score?
        /// Time of the final calibration (selection's is in `selection`).
        public let seconds: Double
        public let epochs: Int
        /// Cross-validation's details when lambda was `auto`.
        public let selection: HyperparameterSelection.Choice?
    }
}
