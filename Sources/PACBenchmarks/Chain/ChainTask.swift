import PACEngine
import PACNN
import PACNet

/// A benchmark with a source and several targets learned in turn (`ChainExperiment`).
public protocol ChainTask: TransferTask {
    /// The source data and `targets` target tasks of a seed, each with `count` training samples.
    func makeChainData(seed: UInt64, targets: Int, count: Int) -> ChainData
    /// A freshly initialized network serving the source and `targets` targets.
    func makeChainNetwork(targets: Int, rng: inout RandomGenerator) -> Network
    /// The primary score of `model` on a test set.
    func score(_ model: Network, on test: Dataset) -> Double
    /// The most targets the task can make.
    var maxChainTargets: Int { get }
    /// The stage schedules of the task.
    var schedules: StageSchedules { get }
}

/// The data of one seed of a chain: the source task and the targets, in order.
public struct ChainData: Sendable {
    public let sourceTrain: Dataset
    public let sourceTest: Dataset
    /// Target `k` (1-based in the chain, index `k - 1` here): training and test sets.
    public let targets: [(train: Dataset, test: Dataset)]

    public init(sourceTrain: Dataset, sourceTest: Dataset, targets: [(train: Dataset, test: Dataset)]) {
        self.sourceTrain = sourceTrain
        self.sourceTest = sourceTest
        self.targets = targets
    }

    /// Every task's test set, the source's first.
    public var tests: [Dataset] { [sourceTest] + targets.map(\.test) }
}
