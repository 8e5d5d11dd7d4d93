import PACEngine
import PACNN

/// Batch spectral shrinkage (Chen et al., NeurIPS 2019, "Catastrophic Forgetting Meets Negative
/// Transfer: Batch Spectral Shrinkage for Safe Transfer Learning"): on each batch,
///
///     weight * sum of the `count` smallest squared singular values of F,
///
/// where `F` (`[batch, d]`) holds the features the head reads (`ForwardTrace.features`: the last
/// hidden activation of an MLP, the pooled features of a ResNet). The singular values are those
/// of the smaller Gram matrix, from the engine's own Jacobi eigensolver (`SymmetricEigen`).
public struct SpectralShrinkage: Sendable {
    /// The penalty's strength (eta).
    public let weight: Float
    /// How many of the smallest singular values are shrunk (k).
    public let count: Int

    public init(weight: Float, count: Int) {
        precondition(weight >= 0 && count >= 1, "BSS needs weight >= 0 and count >= 1, got \(weight), \(count)")
        self.weight = weight
        self.count = count
    }

    /// The forward pass of `model` on a batch and the penalty on its features. Batches with
    /// fewer than `count` singular values shrink all they have.
    public func apply(_ model: any Layer, to input: Variable) -> (prediction: Variable, penalty: Variable) {
        let trace = featureExtractor(model, for: "BSS").trace(input)
        let k = min(count, trace.features.shape[0], trace.features.shape[1])
        return (trace.output, trace.features.smallestSquaredSingularValues(count: k) * weight)
    }
}
