import PACEngine
import PACNN

extension Method {
    /// Trains a target model with this fixed method (no `auto` settings) from `pipeline`'s source
    /// model or allocated networks. `rng` drives initialization (scratch) and shuffling.
    ///
    /// Multi-task networks train and predict through the target head; their source model is a
    /// copy with the source head selected.
    func train<Network: Layer>(from pipeline: TransferPipeline<Network>, on target: Dataset, schedule: TrainingSchedule,
                               rng: inout RandomGenerator) throws(TrainingError) -> TransferResult<Network> {
        precondition(!isAuto, "\(name) must be fixed before training; auto settings are chosen by TransferPipeline.transfer")
        switch self {
        case .scratch:
            let model = pipeline.freshNetwork(&rng)
            TaskHeads.select(.target, in: model)
            try schedule.train(model, on: target, loss: pipeline.loss, rng: &rng)
            return TransferResult(targetModel: model, sourceModel: nil)
        case .finetune, .l2sp, .delta, .bss:
            let source = pipeline.requireSource(for: name)
            let model = source.clone()
            TaskHeads.select(.target, in: model)
            let objective: Objective
            switch self {
            case .l2sp(let lambda):
                objective = .penalized(by: Penalty.l2sp(model, reference: source, lambda: lambda.fixedValue!.value))
            case .delta(let featureWeight, let headWeight):
                let features = FeatureMapPenalty(source: source, weight: featureWeight.value)
                let head = Penalty.l2sp(Self.headParameters(of: model), lambda: headWeight.value)
                objective = Objective { model, input in
                    let (prediction, featurePenalty) = features.apply(model, to: input)
                    return (prediction, [head(), featurePenalty])
                }
            case .bss(let weight, let count):
                let shrinkage = SpectralShrinkage(weight: weight.value, count: count)
                objective = Objective { model, input in
                    let (prediction, penalty) = shrinkage.apply(model, to: input)
                    return (prediction, [penalty])
                }
            default:
                objective = .dataLoss
            }
            try schedule.train(model, on: target, loss: pipeline.loss, objective: objective, rng: &rng)
            return TransferResult(targetModel: model, sourceModel: Self.sourceView(of: model))
        case .pacnet, .pacnetBias, .packnet:
            let allocated = pipeline.requireAllocation(ratio!.fixedValue!)
            let calibrated = try allocated.calibrated(on: target, loss: pipeline.loss, schedule: schedule,
                                                      lambda: lambda!.fixedValue!, freedom: freedom!, rng: &rng)
            return TransferResult(targetModel: calibrated.targetModel, sourceModel: calibrated.sourceModel(),
                                  sourceCopies: calibrated.sourceCopies)
        case .freeze:
            let model = pipeline.requireSource(for: name).clone()
            TaskHeads.select(.target, in: model)
            let trainable = Set(Self.headParameters(of: model).map(ObjectIdentifier.init))
            for parameter in model.parameters() where !trainable.contains(ObjectIdentifier(parameter)) { parameter.freeze() }
            defer { model.parameters().forEach { $0.unfreeze() } }
            // A frozen feature extractor: its normalization statistics stay the source's too.
            try model.withStatisticsFrozen { () throws(TrainingError) in
                _ = try schedule.train(model, on: target, loss: pipeline.loss, rng: &rng)
            }
            return TransferResult(targetModel: model, sourceModel: Self.sourceView(of: model))
        }
    }

    /// The head of a network for the target task: the target head of a multi-task network
    /// (`TaskHeads`), otherwise the last layer.
    public static func headParameters(of model: some Layer) -> [Parameter] {
        TaskHeads.isMultiTask(model) ? TaskHeads.parameters(of: .target, in: model) : lastLayerParameters(of: model)
    }

    /// The parameters of a network's last layer: the last weight and the parameters sharing its
    /// module path (its bias).
    public static func lastLayerParameters(of model: some Module) -> [Parameter] {
        let named = model.namedParameters()
        guard let last = named.last(where: { $0.parameter.role == .weight }) else { return [] }
        let prefix = last.name.split(separator: ".").dropLast().joined(separator: ".")
        return named.filter { $0.name.split(separator: ".").dropLast().joined(separator: ".") == prefix }.map(\.parameter)
    }

    /// The model of the source task inside a transferred network: the network itself, or for a
    /// multi-task network a copy with the source head selected.
    static func sourceView<Network: Layer>(of model: Network) -> Network {
        guard TaskHeads.isMultiTask(model) else { return model }
        let view = model.clone()
        TaskHeads.select(.source, in: view)
        return view
    }
}
