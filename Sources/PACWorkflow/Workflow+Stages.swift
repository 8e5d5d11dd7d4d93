import PACEngine
import PACNN
import PACNet

/// The PAC-Net stages and pipeline on a network of any architecture kind: generic functions
/// open the `any Layer` a model file holds.
enum Stages {
    static func pruned<Network: Layer>(_ network: Network, _ pruning: MagnitudePruning) -> (any Layer, WeightMasks?) {
        let pacnet = PACNetModel.pruned(network, with: pruning)
        return (pacnet.network, pacnet.masks)
    }

    static func allocated<Network: Layer>(
        _ network: Network, masks: WeightMasks, on data: Dataset, loss: Loss, schedule: TrainingSchedule, rng: inout RandomGenerator
    ) throws(TrainingError) -> any Layer {
        try PACNetModel(network: network, masks: masks).allocated(on: data, loss: loss, schedule: schedule, rng: &rng).network
    }

    /// The fraction of masked entries that are pruned, for masks of a file that does not record
    /// its ratio (one imported from PyTorch).
    static func ratio(of masks: WeightMasks) throws(WorkflowError) -> PruningRatio {
        do { return try PruningRatio(Double(masks.prunedCount) / Double(max(masks.totalCount, 1))) } catch {
            throw WorkflowError("the masks keep \(masks.keptCount) of \(masks.totalCount) entries: calibration needs some entries kept and some free")
        }
    }

    /// PAC-Net's calibration of an allocated network through `TransferPipeline` (selecting lambda
    /// and the learning rate first when they are `auto`).
    static func calibrated<Network: Layer>(
        _ network: Network, masks: WeightMasks, ratio: PruningRatio, lambda: Tunable<PenaltyStrength>, settings: TargetSettings,
        on data: Dataset, loss: Loss, schedules: StageSchedules, seed: UInt64
    ) throws(WorkflowError) -> Calibration {
        let pipeline = TransferPipeline(allocated: [(ratio, PACNetModel(network: network, masks: masks))], loss: loss, schedules: schedules)
        do {
            let outcome = try pipeline.transfer(.pacnet(ratio: .fixed(ratio), lambda: lambda, freedom: settings.freedom),
                                                learningRate: settings.learningRate, target: data, streams: Workflow.calibrationStreams(seed))
            return Calibration(outcome)
        } catch { throw WorkflowError(error) }
    }

    /// The whole pipeline from a trained network: prune and allocate every candidate ratio, then
    /// select and calibrate.
    static func transfer<Network: Layer>(
        _ network: Network, source: Dataset, target: Dataset, loss: Loss, ratio: Tunable<PruningRatio>,
        lambda: Tunable<PenaltyStrength>, settings: TargetSettings, schedules: StageSchedules, seed: UInt64
    ) throws(WorkflowError) -> Transfer {
        var pipeline = TransferPipeline(source: network, sourceData: source, loss: loss, schedules: schedules)
        var pruned: [PruningRatio: any Layer] = [:]
        do {
            try pipeline.allocate(ratio.fixedValue.map { [$0] } ?? pipeline.selection.ratios, seed: seed, stream: "workflow/allocate") { stage, ratio, model in
                if stage == .pruned { pruned[ratio] = model.network }
            }
            let outcome = try pipeline.transfer(.pacnet(ratio: ratio, lambda: lambda, freedom: settings.freedom),
                                                learningRate: settings.learningRate, target: target, streams: Workflow.calibrationStreams(seed))
            let chosen = outcome.method.ratio!.fixedValue!
            let allocated = pipeline.allocation(chosen)!
            return Transfer(ratio: chosen, pruned: pruned[chosen]!, allocated: allocated.network, masks: allocated.masks,
                            calibration: Calibration(outcome))
        } catch { throw WorkflowError(error) }
    }

    /// What the whole pipeline produced: the chosen ratio's networks at every stage.
    struct Transfer {
        let ratio: PruningRatio
        let pruned: any Layer
        let allocated: any Layer
        let masks: WeightMasks
        let calibration: Calibration
    }

    /// What calibration produced.
    struct Calibration {
        let network: any Layer
        let sourceCopies: SourceCopies
        let lambda: PenaltyStrength
        /// The target learning rate, when given or selected (`nil`: the schedule's).
        let learningRate: LearningRate?
        let selection: HyperparameterSelection.Choice?
        let seconds: Double

        init<Network: Layer>(_ outcome: TransferOutcome<Network>) {
            network = outcome.result.targetModel
            sourceCopies = outcome.result.sourceCopies
            lambda = outcome.method.lambda!.fixedValue!
            learningRate = outcome.learningRate
            selection = outcome.selection
            seconds = outcome.seconds
        }
    }
}

extension Workflow {
    /// The workflow's random streams for calibration and its cross-validation.
    static func calibrationStreams(_ seed: UInt64) -> TransferStreams {
        TransferStreams(seed: seed, training: "workflow/calibrate", selection: "workflow/select")
    }
}
