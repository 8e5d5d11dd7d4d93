import PACEngine
import PACNN

/// DELTA's behavioural regularizer (Li et al., ICLR 2019, "DELTA: Deep Learning Transfer using
/// Feature Map with Attention"), with uniform channel weights: for each hidden feature map the
/// network exposes (`FeatureExtracting`: every hidden activation of an MLP, every stage output of
/// a ResNet),
///
///     weight * sum over maps of (1 / C) * sum over channels and positions of (F - F_source)^2,
///
/// averaged over the batch, where `F_source` is the source network's map for the same batch,
/// computed in evaluation mode and without gradients. With the channel weights uniform (`1/C`)
/// this is DELTA without its attention step.
public struct FeatureMapPenalty {
    /// The penalty's strength (DELTA's alpha).
    public let weight: Float
    private let source: any FeatureExtracting

    /// A penalty pulling `model`'s feature maps towards those of `source` (which is copied, so
    /// the caller's network and its mode are never touched).
    public init(source: some Layer, weight: Float) {
        let extractor = featureExtractor(source.clone(), for: "DELTA")
        extractor.setTraining(false)
        self.source = extractor
        self.weight = weight
    }

    /// The forward pass of `model` on a batch and the penalty on its feature maps.
    public func apply(_ model: any Layer, to input: Variable) -> (prediction: Variable, penalty: Variable) {
        let trace = featureExtractor(model, for: "DELTA").trace(input)
        let reference = GradientMode.withoutGradients { source.trace(input).featureMaps.map(\.value) }
        precondition(reference.count == trace.featureMaps.count, "DELTA: source and target expose different feature maps")
        let distances = zip(trace.featureMaps, reference).map { map, anchor in
            (map - Variable(anchor)).squared().sum() * (1 / Float(map.shape[0] * map.shape[1]))
        }
        return (trace.output, distances.reduce(Variable(Tensor(0)), +) * weight)
    }
}
