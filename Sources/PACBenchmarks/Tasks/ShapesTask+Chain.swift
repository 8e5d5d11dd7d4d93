import PACEngine
import PACNN
import PACNet

/// `shapes` as a chain: the source task's 8 attributes, then the target task's 8 attributes
/// (`is_top` ... `is_noisy`) split into contiguous groups learned in turn (3 targets: 2, 3 and 3
/// attributes), each group from images of its own streams (`chain-2-train`, ...). The network
/// has one head per task.
extension ShapesTask: ChainTask {
    public var maxChainTargets: Int { ShapesGenerator.attributeRange(.target).count }
    public var schedules: StageSchedules { .images }

    /// The target attribute columns of chain target `k` (1-based) of `targets`.
    public static func chainAttributes(_ k: Int, of targets: Int) -> Range<Int> {
        let range = ShapesGenerator.attributeRange(.target)
        return (range.lowerBound + (k - 1) * range.count / targets)..<(range.lowerBound + k * range.count / targets)
    }

    public func makeChainData(seed: UInt64, targets: Int, count: Int) -> ChainData {
        func images(_ count: Int, _ stream: String, _ columns: Range<Int>) -> Dataset {
            let (images, attributes) = generator.generate(count: count, seed: seed, stream: stream)
            return Dataset(inputs: images, targets: attributes.slice(axis: 1, columns))
        }
        let source = ShapesGenerator.attributeRange(.source)
        return ChainData(
            sourceTrain: images(sourceTrainCount, "source-train", source), sourceTest: images(testCount, "source-test", source),
            targets: (1...targets).map { k in
                let columns = Self.chainAttributes(k, of: targets)
                return (train: images(count, "chain-\(k)-train", columns), test: images(testCount, "chain-\(k)-test", columns))
            })
    }

    /// The backbone (drawn first), then the source head and one head per target group.
    public func makeChainNetwork(targets: Int, rng: inout RandomGenerator) -> MultiHeadModel<ResNet> {
        let backbone = makeBackbone(rng: &rng)
        let outputs = [ShapesGenerator.attributeRange(.source).count] + (1...targets).map { Self.chainAttributes($0, of: targets).count }
        return MultiHeadModel(backbone: backbone, headOutputs: outputs, rng: &rng)
    }

    /// Mean per-attribute accuracy through the model's active head.
    public func score(_ model: MultiHeadModel<ResNet>, on test: Dataset) -> Double {
        Self.accuracy(logits: model.predict(test.inputs, batchSize: 500), targets: test.targets)
    }
}
