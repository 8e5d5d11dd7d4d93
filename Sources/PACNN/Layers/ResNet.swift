import PACEngine

/// A ResNet backbone of basic blocks for images: input `[N, inChannels, H, W]`, output features
/// `[N, widths.last]`. Two stems:
///
///     cifar:    3x3 convolution (stride 1, padding 1, no bias), BN, ReLU
///               (the CIFAR-style ResNet-8 of the `shapes` benchmark with the defaults)
///     imagenet: 7x7 convolution (stride 2, padding 3, no bias), BN, ReLU, 3x3 max-pool (stride 2,
///               padding 1): torchvision's `resnet18`/`resnet34` with `blocks` [2, 2, 2, 2] or
///               [3, 4, 6, 3] and widths 64-128-256-512
///     stages:   one stage per width, `blocks[stage]` `BasicBlock`s each; the first block of every
///               stage after the first has stride 2 (and a projection shortcut)
///     pooling:  global average pooling
///
/// Child names follow PyTorch's (`nn.Sequential` indices): `stem.0.weight`, `stem.1.weight`,
/// `stem.1.running_mean`, `stages.0.0.conv1.weight`, `stages.1.0.shortcut.0.weight`, ...
/// (`TorchvisionNames` maps them to torchvision's `conv1.weight`, `layer2.0.downsample.0.weight`).
/// Convolutions use PyTorch's default initialization, drawn from `rng` in definition order.
public final class ResNet: Layer {
    /// The first layers, before the residual stages.
    public enum Stem: String, Sendable, CaseIterable {
        /// 3x3 convolution, stride 1: small images (CIFAR, `shapes`).
        case cifar
        /// 7x7 stride-2 convolution and a 3x3 stride-2 max-pool: torchvision's ImageNet ResNets.
        case imagenet
    }

    /// Residual blocks of each stage.
    public let blockCounts: [Int]
    /// Channel count of each stage.
    public let widths: [Int]
    /// Channels of the input images.
    public let inChannels: Int
    /// Which stem the backbone starts with.
    public let stemKind: Stem
    /// `[Conv2d, BatchNorm2d, ReLU]`, then `MaxPool2d` for the ImageNet stem.
    public let stem: Sequential
    /// One `Sequential` of `BasicBlock`s per stage.
    public let stages: Sequential
    /// A fixed per-channel normalization applied to the input before the stem (e.g. ImageNet's
    /// statistics for a pretrained torchvision model), or nil for none.
    public var inputNormalization: ChannelNormalization? {
        didSet { precondition(inputNormalization.map { $0.mean.count == inChannels } ?? true, "ResNet: a normalization of \(inputNormalization!.mean.count) channels for \(inChannels)") }
    }

    /// A freshly initialized backbone with `blocks[i]` blocks in stage `i` (one count per width).
    public init(blocks: [Int], widths: [Int], inChannels: Int = 3, stem stemKind: Stem = .cifar, rng: inout RandomGenerator) {
        precondition(!widths.isEmpty && blocks.count == widths.count && blocks.allSatisfy { $0 > 0 }
                     && widths.allSatisfy { $0 > 0 } && inChannels > 0,
                     "ResNet: blocks \(blocks), widths \(widths), \(inChannels) input channels")
        self.blockCounts = blocks
        self.widths = widths
        self.inChannels = inChannels
        self.stemKind = stemKind
        switch stemKind {
        case .cifar:
            stem = Sequential([
                Conv2d(inChannels: inChannels, outChannels: widths[0], kernelSize: 3, stride: 1, padding: 1, bias: false, rng: &rng),
                BatchNorm2d(channels: widths[0]),
                ActivationLayer(.relu),
            ])
        case .imagenet:
            stem = Sequential([
                Conv2d(inChannels: inChannels, outChannels: widths[0], kernelSize: 7, stride: 2, padding: 3, bias: false, rng: &rng),
                BatchNorm2d(channels: widths[0]),
                ActivationLayer(.relu),
                MaxPool2d(kernelSize: 3, stride: 2, padding: 1),
            ])
        }
        var stageList: [any Layer] = []
        var channels = widths[0]
        for (index, width) in widths.enumerated() {
            var stage: [any Layer] = []
            for block in 0..<blocks[index] {
                let stride = index > 0 && block == 0 ? 2 : 1
                stage.append(BasicBlock(inChannels: channels, outChannels: width, stride: stride, rng: &rng))
                channels = width
            }
            stageList.append(Sequential(stage))
        }
        stages = Sequential(stageList)
    }

    /// A freshly initialized backbone with the same number of blocks in every stage (the CIFAR
    /// stem's ResNet-8 with the defaults).
    public convenience init(blocksPerStage: Int = 1, widths: [Int] = [16, 32, 64], inChannels: Int = 3,
                            stem: Stem = .cifar, rng: inout RandomGenerator) {
        self.init(blocks: Array(repeating: blocksPerStage, count: widths.count), widths: widths, inChannels: inChannels,
                  stem: stem, rng: &rng)
    }

    private init(blockCounts: [Int], widths: [Int], inChannels: Int, stemKind: Stem, stem: Sequential, stages: Sequential) {
        self.blockCounts = blockCounts
        self.widths = widths
        self.inChannels = inChannels
        self.stemKind = stemKind
        self.stem = stem
        self.stages = stages
    }

    /// The size of the feature vector (`widths.last`).
    public var featureCount: Int { widths[widths.count - 1] }

    /// Every residual block, stage by stage.
    public var blocks: [BasicBlock] {
        stages.layers.flatMap { ($0 as! Sequential).layers.map { $0 as! BasicBlock } }
    }

    public var children: [(name: String, module: any Module)] { [("stem", stem), ("stages", stages)] }

    public func callAsFunction(_ input: Variable) -> Variable {
        precondition(input.value.rank == 4 && input.shape[1] == inChannels,
                     "ResNet expects [N, \(inChannels), H, W], got \(input.shape)")
        let normalized = inputNormalization.map { $0(input) } ?? input
        return stages(stem(normalized)).globalAveragePool()
    }

    public func clone() -> ResNet {
        let copy = ResNet(blockCounts: blockCounts, widths: widths, inChannels: inChannels, stemKind: stemKind,
                          stem: stem.clone(), stages: stages.clone())
        copy.inputNormalization = inputNormalization
        return copy
    }
}
