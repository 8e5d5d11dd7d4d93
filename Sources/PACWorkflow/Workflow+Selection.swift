import PACEngine
import PACNN
import PACNet

extension Workflow {
    /// Chooses calibration's lambda, and with allocated models of several ratios the ratio, by
    /// k-fold cross-validation on the target training rows (`HyperparameterSelection`: the
    /// validation rows of `--validation`, if any, are not used). Fold trainings use `options`'
    /// epochs and learning rate with batch `min(batchSize, rows)`.
    ///
    /// - Parameters:
    ///   - allocated: allocated models of one source model, one per candidate ratio.
    ///   - lambda: a fixed lambda, or `nil` to choose it from `selection.lambdas`.
    /// - Returns: the allocated model of the chosen ratio, the chosen lambda and the details.
    public static func selectCalibration(
        _ allocated: [ModelFile], data: LabeledData, lambda: Float?, options: TrainingOptions,
        selection: HyperparameterSelection = HyperparameterSelection()
    ) throws(WorkflowError) -> (model: ModelFile, lambda: Float, choice: HyperparameterSelection.Choice) {
        guard let first = allocated.first else { throw WorkflowError("selection needs at least one allocated model") }
        for model in allocated where model.stage != .allocated || model.masks == nil || model.ratio == nil {
            throw WorkflowError("selection needs allocated models (stage 'allocated'), got stage '\(model.stage.rawValue)'")
        }
        try check(data, fits: first, task: .target)
        let (fit, _) = split(data, options)
        guard fit.count >= 2 else { throw WorkflowError("cross-validation needs at least 2 target rows, got \(fit.count)") }
        var grid = selection
        if allocated.count > 1 { grid.ratios = allocated.map { $0.ratio! } }
        let choice: HyperparameterSelection.Choice
        do {
            choice = try Stages.select(first.network, allocated, grid: grid, fixedRatio: allocated.count == 1 ? first.ratio : nil,
                                       lambda: lambda, on: normalize(fit, first.standardization), loss: first.loss, options: options)
        } catch { throw WorkflowError(error) }
        let model = allocated.first { $0.ratio == choice.ratio } ?? first
        return (model, choice.lambda ?? lambda ?? 0, choice)
    }
}

extension Stages {
    /// Cross-validates PAC-Net's calibration over the allocated networks (all of `first`'s type).
    static func select<Network: Layer>(
        _ first: Network, _ allocated: [ModelFile], grid: HyperparameterSelection, fixedRatio: Double?, lambda: Float?,
        on data: Dataset, loss: Loss, options: TrainingOptions
    ) throws(TrainingError) -> HyperparameterSelection.Choice {
        var byRatio: [Double: PACNetModel<Network>] = [:]
        for model in allocated { byRatio[model.ratio!] = PACNetModel(network: model.network as! Network, masks: model.masks!) }
        func schedule(_ rows: Int) -> TrainingSchedule {
            TrainingSchedule(epochs: options.epochs, batchSize: min(options.batchSize, rows), learningRate: options.learningRate)
        }
        let setup = TransferSetup(source: first, allocated: byRatio[allocated[0].ratio!], makeFresh: { _ in first.clone() },
                                  loss: loss, schedule: schedule(data.count), lambda: lambda ?? 0)
        return try grid.select(.pacnet, ratio: fixedRatio, lambda: lambda, base: setup, allocated: { byRatio[$0] },
                               schedule: schedule, target: data, seed: options.seed, stream: "workflow/select")
    }
}
