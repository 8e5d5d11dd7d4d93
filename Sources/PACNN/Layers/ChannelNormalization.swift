import PACEngine

/// A fixed per-channel normalization of NCHW inputs, `(x - mean[c]) / std[c]`, as
/// `torchvision.transforms.Normalize` applies before a torchvision model (ImageNet's statistics
/// for its pretrained ResNets). Constants, not parameters: nothing trains them and model files
/// hold them in the architecture string, not as tensors.
public struct ChannelNormalization: Sendable, Equatable {
    /// Per-channel means, subtracted first.
    public let mean: [Float]
    /// Per-channel standard deviations (positive), divided by second.
    public let std: [Float]

    /// Nil unless `mean` and `std` have the same positive count, every mean is finite and every
    /// standard deviation finite and positive.
    public init?(mean: [Float], std: [Float]) {
        guard !mean.isEmpty, mean.count == std.count, mean.allSatisfy(\.isFinite),
              std.allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
        self.mean = mean
        self.std = std
    }

    /// torchvision's ImageNet statistics for RGB in [0, 1]: mean (0.485, 0.456, 0.406), std
    /// (0.229, 0.224, 0.225).
    public static let imagenet = ChannelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])!

    /// `(x - mean[c]) / std[c]` on `[N, C, H, W]` (C = `mean.count`), differentiable in `x`:
    /// batch normalization with these fixed statistics, unit scale and zero shift.
    public func callAsFunction(_ x: Variable) -> Variable {
        let channels = mean.count
        return Variable.batchNorm(x, gamma: Variable(Tensor(shape: [channels], scalars: [Float](repeating: 1, count: channels))),
                                  beta: Variable(Tensor(zeros: [channels])),
                                  mean: Tensor(shape: [channels], scalars: mean),
                                  variance: Tensor(shape: [channels], scalars: std.map { $0 * $0 }), epsilon: 0)
    }
}
