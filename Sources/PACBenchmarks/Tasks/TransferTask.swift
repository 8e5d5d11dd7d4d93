import PACEngine
import PACNN
import PACNet

/// A benchmark transfer problem: seeded source and target data, the network, and its score.
public protocol TransferTask: Sendable {
    /// The network type the task trains.
    associatedtype Network: Layer
    /// The task's name in reports and JSON (`friedman`).
    var name: String { get }
    /// The scores' names in reports and JSON keys (`rmse` gives `target_rmse`, `source_rmse`);
    /// the first is the primary metric.
    var metrics: [String] { get }
    /// Whether a larger score is better (accuracy) or a smaller one (errors).
    var higherIsBetter: Bool { get }
    /// The training objective.
    var loss: Loss { get }
    /// Target-training sample sizes used when none are given.
    var defaultTargetSizes: [Int] { get }
    /// Methods compared when none are given.
    var defaultMethods: [TransferMethod] { get }
    /// The specification's settings for this task: sizes, methods and schedules.
    func defaultConfiguration() -> ExperimentConfiguration
    /// The sample sizes of the suite's PAC-Net ablation.
    var ablationTargetSizes: [Int] { get }
    /// Generates all data for a seed; the target training pool holds `targetPoolSize` samples,
    /// of which each run uses a prefix, so smaller target sets are nested in larger ones.
    func makeData(seed: UInt64, targetPoolSize: Int) -> TransferData
    /// A freshly initialized network.
    func makeNetwork(rng: inout RandomGenerator) -> Network
    /// The scores of `model` (one per metric) on one side of the seed's data.
    func scores(_ model: Network, side: TaskSide, data: TransferData) -> [Double]
}

extension TransferTask {
    /// Every method, unless a task says otherwise.
    public var defaultMethods: [TransferMethod] { TransferMethod.allCases }

    /// Every default size, unless a task says otherwise.
    public var ablationTargetSizes: [Int] { defaultTargetSizes }

    /// The shared defaults (`ExperimentConfiguration()`) with the task's sizes and methods.
    public func defaultConfiguration() -> ExperimentConfiguration {
        var config = ExperimentConfiguration()
        config.targetSizes = defaultTargetSizes
        config.methods = defaultMethods
        return config
    }
}

/// The data of one seed of a transfer task.
public struct TransferData: Sendable {
    public let sourceTrain: Dataset
    public let sourceTest: Dataset
    /// The target training pool; runs use `targetTrain.prefix(n)`.
    public let targetTrain: Dataset
    public let targetTest: Dataset
    /// Task-specific evaluation data by name (for example rollout initial states and true
    /// trajectories), so scores beyond test-set errors need no recomputation.
    public let extras: [String: Tensor]

    public init(sourceTrain: Dataset, sourceTest: Dataset, targetTrain: Dataset, targetTest: Dataset,
                extras: [String: Tensor] = [:]) {
        self.sourceTrain = sourceTrain
        self.sourceTest = sourceTest
        self.targetTrain = targetTrain
        self.targetTest = targetTest
        self.extras = extras
    }

    /// The test set of one side.
    public func test(_ side: TaskSide) -> Dataset { side == .source ? sourceTest : targetTest }
}
