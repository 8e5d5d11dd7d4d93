import PACEngine

/// A small ResNet backbone for images (the CIFAR-style ResNet-8 of the `shapes` benchmark with
/// the defaults): input `[N, inChannels, H, W]`, output features `[N, widths.last]`.
///
///     stem:    3x3 convolution (inChannels -> widths[0], stride 1, padding 1, no bias), BN, ReLU
///     stages:  one stage per width, `blocksPerStage` `BasicBlock`s each; the first block of every
///              stage after the first has stride 2 (and a projection shortcut)
///     pooling: global average pooling
///
/// Child names follow PyTorch's (`nn.Sequential` indices): `stem.0.weight`, `stem.1.weight`,
/// `stem.1.running_mean`, `stages.0.0.conv1.weight`, `stages.1.0.shortcut.0.weight`, ...
/// Convolutions use PyTorch's default initialization, drawn from `rng` in definition order.
/// With one block per stage that is 7 weighted layers in the backbone (stem plus 2 per block),
/// 8 with a linear head on top.
public final class ResNet: Layer {
    /// Residual blocks per stage.
    public let blocksPerStage: Int
    /// Channel count of each stage.
    public let widths: [Int]
    /// Channels of the input images.
    public let inChannels: Int
    /// `[Conv2d 3x3, BatchNorm2d, ReLU]`.
    public let stem: Sequential
    /// One `Sequential` of `BasicBlock`s per stage.
    public let stages: Sequential

    /// A freshly initialized backbone.
    public init(blocksPerStage: Int = 1, widths: [Int] = [16, 32, 64], inChannels: Int = 3, rng: inout RandomGenerator) {
        precondition(blocksPerStage > 0 && !widths.isEmpty && widths.allSatisfy { $0 > 0 } && inChannels > 0,
                     "ResNet: \(blocksPerStage) blocks per stage, widths \(widths), \(inChannels) input channels")
        self.blocksPerStage = blocksPerStage
        self.widths = widths
        self.inChannels = inChannels
        stem = Sequential([
            Conv2d(inChannels: inChannels, outChannels: widths[0], kernelSize: 3, stride: 1, padding: 1, bias: false, rng: &rng),
            BatchNorm2d(channels: widths[0]),
            ActivationLayer(.relu),
        ])
        var stageList: [any Layer] = []
        var channels = widths[0]
        for (index, width) in widths.enumerated() {
            var blocks: [any Layer] = []
            for block in 0..<blocksPerStage {
                let stride = index > 0 && block == 0 ? 2 : 1
                blocks.append(BasicBlock(inChannels: channels, outChannels: width, stride: stride, rng: &rng))
                channels = width
            }
            stageList.append(Sequential(blocks))
        }
        stages = Sequential(stageList)
    }

    private init(blocksPerStage: Int, widths: [Int], inChannels: Int, stem: Sequential, stages: Sequential) {
        self.blocksPerStage = blocksPerStage
        self.widths = widths
        self.inChannels = inChannels
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
        return stages(stem(input)).globalAveragePool()
    }

    public func clone() -> ResNet {
        ResNet(blocksPerStage: blocksPerStage, widths: widths, inChannels: inChannels, stem: stem.clone(), stages: stages.clone())
    }
}
