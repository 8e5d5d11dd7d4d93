/// The names of the ways of training a model for the target task that the benchmarks compare
/// (as reports, JSON and the command line spell them). A method with its settings is a `Method`.
public enum TransferMethod: String, CaseIterable, Sendable, Codable {
    /// A fresh network trained on the target data only.
    case scratch
    /// All weights trained on the target, starting from the source model.
    case finetune
    /// Fine-tuning plus `lambda * sum (w - w_source)^2` over all parameters.
    case l2sp
    /// Prune -> allocate -> calibrate (`PACNetModel`).
    case pacnet
    /// PAC-Net whose target model also has its own copy of every bias, normalization parameter
    /// and running statistic (`TargetFreedom.ownBiases`); the source model keeps the originals.
    case pacnetBias = "pacnet-bias"
    /// Only the last layer trained on the target, from the source model.
    case freeze
    /// PAC-Net without the regularizer (lambda = 0): PackNet-style reuse of the pruned weights.
    case packnet
    /// Fine-tuning plus DELTA's feature-map distance to the source network on each target batch
    /// (`FeatureMapPenalty`) and L2-SP on the head.
    case delta
    /// Fine-tuning plus batch spectral shrinkage of the head's input features
    /// (`SpectralShrinkage`).
    case bss

    /// The methods the original benchmark compares (`friedman`'s default).
    public static let core: [TransferMethod] = [.scratch, .finetune, .l2sp, .pacnet]

    /// Whether the method has a pruning ratio (PAC-Net, PackNet), so needs allocated networks.
    public var usesRatio: Bool { self == .pacnet || self == .pacnetBias || self == .packnet }
    /// Whether the method has a penalty strength to choose (PAC-Net, L2-SP).
    public var usesLambda: Bool { self == .pacnet || self == .pacnetBias || self == .l2sp }
}
