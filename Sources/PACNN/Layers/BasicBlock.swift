import PACEngine

/// The basic residual block of ResNet-18/34 and the CIFAR ResNets (He et al., 2016), with
/// PyTorch's usual child names:
///
///     out = relu(bn1(conv1(x)))          conv1: 3x3, stride `stride`, padding 1, no bias
///     out = bn2(conv2(out))              conv2: 3x3, stride 1, padding 1, no bias
///     out = relu(out + shortcut(x))
///
/// The shortcut is the identity when the block keeps the shape (same channels, stride 1), and
/// otherwise a projection `shortcut.0` (1x1 convolution, stride `stride`, no bias) followed by
/// `shortcut.1` (batch normalization). Parameters: `conv1.weight`, `bn1.weight`, `bn1.bias`,
/// `conv2.weight`, `bn2.…`, and for a projection `shortcut.0.weight`, `shortcut.1.weight`,
/// `shortcut.1.bias`; buffers are the batch norms' `running_mean`, `running_var` and
/// `num_batches_tracked`.
public final class BasicBlock: Layer {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    /// The projection shortcut (`[Conv2d 1x1, BatchNorm2d]`), or `nil` for the identity.
    public let shortcut: Sequential?

    /// A freshly initialized block; convolutions draw from `rng` in order conv1, conv2, shortcut
    /// (PyTorch's default `Conv2d` initialization), batch norms start at weight 1, bias 0.
    public init(inChannels: Int, outChannels: Int, stride: Int = 1, rng: inout RandomGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && stride > 0,
                     "BasicBlock: \(inChannels) -> \(outChannels) channels, stride \(stride)")
        conv1 = Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: 3, stride: stride, padding: 1,
                       bias: false, rng: &rng)
        bn1 = BatchNorm2d(channels: outChannels)
        conv2 = Conv2d(inChannels: outChannels, outChannels: outChannels, kernelSize: 3, stride: 1, padding: 1,
                       bias: false, rng: &rng)
        bn2 = BatchNorm2d(channels: outChannels)
        if BasicBlock.needsProjection(inChannels: inChannels, outChannels: outChannels, stride: stride) {
            shortcut = Sequential([
                Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: 1, stride: stride, bias: false, rng: &rng),
                BatchNorm2d(channels: outChannels),
            ])
        } else {
            shortcut = nil
        }
    }

    private init(conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, shortcut: Sequential?) {
        self.conv1 = conv1
        self.bn1 = bn1
        self.conv2 = conv2
        self.bn2 = bn2
        self.shortcut = shortcut
    }

    /// Whether a block with these sizes needs a projection shortcut: exactly when the channel
    /// count or the resolution changes.
    public static func needsProjection(inChannels: Int, outChannels: Int, stride: Int) -> Bool {
        inChannels != outChannels || stride != 1
    }

    public var inChannels: Int { conv1.inChannels }
    public var outChannels: Int { conv1.outChannels }
    public var stride: Int { conv1.stride }

    public var children: [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]
        if let shortcut { result.append(("shortcut", shortcut)) }
        return result
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let residual = bn2(conv2(bn1(conv1(input)).relu()))
        return (residual + (shortcut?(input) ?? input)).relu()
    }

    public func clone() -> BasicBlock {
        BasicBlock(conv1: conv1.clone(), bn1: bn1.clone(), conv2: conv2.clone(), bn2: bn2.clone(), shortcut: shortcut?.clone())
    }
}
