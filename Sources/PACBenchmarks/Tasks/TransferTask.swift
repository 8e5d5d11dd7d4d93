import PACEngine
import PACNN
import PACNet

/// A benchmark transfer problem: seeded source and target data, the network, and its score.
public protocol TransferTask: Sendable {
    /// The network type the task trains.
    associatedtype Network: Layer
    /// The task's name in reports and JSON (`friedman`).
    var name: String { get }
    /// The score's name in reports and JSON keys (`rmse` gives `target_rmse`, `source_rmse`).
    var metric: String { get }
    /// Whether a larger score is better (accuracy) or a smaller one (errors).
    var higherIsBetter: Bool { get }
    /// The training objective.
    var loss: Loss { get }
    /// Target-training sample sizes used when none are given.
    var defaultTargetSizes: [Int] { get }
    /// Generates all data for a seed; the target training pool holds `targetPoolSize` samples,
    /// of which each run uses a prefix, so smaller target sets are nested in larger ones.
    func makeData(seed: UInt64, targetPoolSize: Int) -> TransferData
    /// A freshly initialized network.
    func makeNetwork(rng: inout RandomGenerator) -> Network
    /// The score of `model` on `data`.
    func score(_ model: Network, on data: Dataset) -> Double
}

/// The data of one seed of a transfer task.
public struct TransferData: Sendable {
    public let sourceTrain: Dataset
    public let sourceTest: Dataset
    /// The target training pool; runs use `targetTrain.prefix(n)`.
    public let targetTrain: Dataset
    public let targetTest: Dataset

    public init(sourceTrain: Dataset, sourceTest: Dataset, targetTrain: Dataset, targetTest: Dataset) {
        self.sourceTrain = sourceTrain
        self.sourceTest = sourceTest
        self.targetTrain = targetTrain
        self.targetTest = targetTest
    }
}
