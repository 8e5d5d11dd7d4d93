import PACEngine

/// A network that can absorb a `Standardization` into its own weights, giving an equivalent
/// network on raw units: `folding(s)(x) ≈ s.denormalizeTargets(self(s.normalizeInputs(x)))`
/// (equal up to rounding). The benchmark trains on standardized data and scores the folded
/// network, so task metrics (rollouts included) stay in the task's own units.
public protocol StandardizationFolding: Layer {
    func folding(_ standardization: Standardization) -> Self
}

extension MLP: StandardizationFolding {
    /// Folds the input scaling into the first layer (`W / std`, `b - W mean / std`) and the
    /// output scaling into the last (`std * W`, `std * b + mean`), on a copy.
    public func folding(_ standardization: Standardization) -> MLP {
        let copy = clone()
        let first = copy.linearLayers[0], last = copy.linearLayers[copy.linearLayers.count - 1]
        let mean = Tensor(shape: [1, first.inFeatures], scalars: standardization.inputMean)
        let std = Tensor(shape: [1, first.inFeatures], scalars: standardization.inputStd)
        precondition(standardization.inputMean.count == first.inFeatures, "standardization of \(standardization.inputMean.count) inputs for an MLP with \(first.inFeatures)")
        let scaled = first.weight.value / std
        if let bias = first.bias {
            bias.value = bias.value - (scaled * mean).sum(alongAxes: [1])
        }
        first.weight.value = scaled
        if let targetMean = standardization.targetMean, let targetStd = standardization.targetStd {
            precondition(targetMean.count == last.outFeatures, "standardization of \(targetMean.count) targets for an MLP with \(last.outFeatures)")
            let rowStd = Tensor(shape: [last.outFeatures, 1], scalars: targetStd)
            last.weight.value = last.weight.value * rowStd
            if let bias = last.bias {
                bias.value = bias.value * Tensor(shape: [last.outFeatures], scalars: targetStd)
                    + Tensor(shape: [last.outFeatures], scalars: targetMean)
            }
        }
        return copy
    }
}
