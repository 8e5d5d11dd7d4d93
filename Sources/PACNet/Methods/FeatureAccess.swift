import PACNN

/// The feature-reading methods (DELTA, BSS) need a network that exposes its hidden
/// representations; which networks do is fixed by the architecture, so a mismatch is a
/// programming error, not bad input.
func featureExtractor(_ model: any Layer, for method: String) -> any FeatureExtracting {
    guard let extractor = model as? any FeatureExtracting else {
        preconditionFailure("\(method) needs a network that exposes its feature maps (FeatureExtracting)")
    }
    return extractor
}
