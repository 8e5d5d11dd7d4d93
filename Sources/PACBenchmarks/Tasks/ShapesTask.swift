import PACEngine
import PACNN
import PACNet

/// The `shapes` image-attribute task of the benchmark specification (the CelebA-style family).
///
/// Images from `ShapesGenerator` (32x32 RGB, NCHW floats in [0, 1]). Source task: attributes 0-7
/// (`is_circle` ... `is_left`) from 20,000 training images; target task: attributes 8-15
/// (`is_top` ... `is_noisy`) from `n_target` images (prefixes of one pool). 5,000 test images per
/// side; the four image sets come from separate streams. Network: `MultiHeadModel` with the
/// ResNet-8 backbone (`blocksPerStage` basic blocks per stage) and two 8-way heads, head 0 for
/// the source task and head 1 for the target task; binary cross-entropy on the logits. Score:
/// mean per-attribute accuracy (logit > 0 predicts 1) over the side's 8 attributes.
///
/// Schedule (`defaultConfiguration`): `StageSchedules.images`.
public struct ShapesTask: TransferTask {
    public let name = "shapes"
    public let metrics = ["accuracy"]
    public let higherIsBetter = true
    public let loss = Loss.bce
    public let defaultTargetSizes = [100, 500, 2000]
    /// The suite's 3 x 3 ablation grid at the middle size only (each cell is a ResNet calibration).
    public let ablationTargetSizes = [500]
    /// Every method: the core four, `freeze`, `packnet`, `delta` and `bss`.
    public let defaultMethods = TransferMethod.allCases
    public var sourceTrainCount = 20_000
    public var testCount = 5_000
    /// Basic blocks per ResNet stage (the `--blocks` option).
    public var blocksPerStage = 1
    /// torchvision's ResNet-18 or -34 instead of the ResNet-8 family (the `--arch` option).
    public var torchvision: ResNet.Torchvision?
    /// The generator (its thread count never changes the images).
    public var generator = ShapesGenerator()

    public init(blocksPerStage: Int = 1, torchvision: ResNet.Torchvision? = nil) {
        precondition(blocksPerStage >= 1, "shapes: blocks per stage must be at least 1, got \(blocksPerStage)")
        self.blocksPerStage = blocksPerStage
        self.torchvision = torchvision
    }

    /// A freshly initialized backbone: ResNet-8 (`blocksPerStage` blocks per stage), or
    /// torchvision's layout when `torchvision` is set.
    func makeBackbone(rng: inout RandomGenerator) -> ResNet {
        if let torchvision { return ResNet(torchvision, inChannels: ShapesGenerator.channels, rng: &rng) }
        return ResNet(blocksPerStage: blocksPerStage, inChannels: ShapesGenerator.channels, rng: &rng)
    }

    public func defaultConfiguration() -> ExperimentConfiguration {
        var config = ExperimentConfiguration()
        config.targetSizes = defaultTargetSizes
        config.methods = defaultMethods
        config.schedules = .images
        return config
    }

    public func makeData(seed: UInt64, targetPoolSize: Int) -> TransferData {
        func images(_ count: Int, _ stream: String, _ side: TaskSide) -> Dataset {
            generator.dataset(count: count, seed: seed, stream: stream, side: side)
        }
        return TransferData(
            sourceTrain: images(sourceTrainCount, "source-train", .source),
            sourceTest: images(testCount, "source-test", .source),
            targetTrain: images(targetPoolSize, "target-train", .target),
            targetTest: images(testCount, "target-test", .target))
    }

    /// The backbone (drawn first), then head 0 and head 1 (8 outputs each); head 0 active.
    public func makeNetwork(rng: inout RandomGenerator) -> MultiHeadModel<ResNet> {
        let backbone = makeBackbone(rng: &rng)
        let outputs = ShapesGenerator.attributeRange(.source).count
        return MultiHeadModel(backbone: backbone, headOutputs: [outputs, outputs], rng: &rng)
    }

    /// Mean per-attribute accuracy through the side's head (whatever head is active).
    public func scores(_ model: MultiHeadModel<ResNet>, side: TaskSide, data: TransferData) -> [Double] {
        let test = data.test(side)
        return [Self.accuracy(logits: model.predict(test.inputs, head: side.head, batchSize: 500), targets: test.targets)]
    }

    /// The fraction of entries where `logit > 0` agrees with the 0/1 target, i.e. the mean of the
    /// per-attribute accuracies (every attribute has the same number of test images).
    public static func accuracy(logits: Tensor, targets: Tensor) -> Double {
        precondition(logits.shape == targets.shape, "accuracy: logits \(logits.shape) vs targets \(targets.shape)")
        var correct = 0
        logits.withUnsafePointer { l in
            targets.withUnsafePointer { t in
                for i in 0..<logits.count where (l[i] > 0) == (t[i] > 0.5) { correct += 1 }
            }
        }
        return Double(correct) / Double(max(logits.count, 1))
    }
}
