/// The epochs, batch sizes and learning rate of every stage of a transfer: the one home of the
/// defaults (`tabular`, `images`) and of the target-schedule formula, for the benchmarks, the
/// bring-your-own-data commands and their help text alike.
///
/// Source training and allocation on `n` rows run `sourceEpochs` / `allocateEpochs` at
/// `batchSize`, raised to at least `sourceMinimumSteps` / `allocateMinimumSteps` optimizer steps.
/// Target training on `n` rows (every method, and every cross-validation fold) runs at batch
/// `min(n, targetBatchCap)` for `targetEpochs`, raised to `ceil(targetMinimumSteps / steps per
/// epoch)` when that is more. The minimums are the image defaults' (a ResNet given a few hundred
/// images learns nothing in 8 epochs of one or two steps); an explicit epoch count from the user
/// sets its stage's minimum to 0.
public struct StageSchedules: Sendable, Equatable {
    public var sourceEpochs: Int
    public var allocateEpochs: Int
    public var targetEpochs: Int
    /// Batch size of source training and allocation.
    public var batchSize: Int
    /// Target batches are `min(n, targetBatchCap)`.
    public var targetBatchCap: Int
    /// Target training runs at least this many optimizer steps.
    public var targetMinimumSteps: Int
    /// Source training runs at least this many optimizer steps.
    public var sourceMinimumSteps: Int
    /// Allocation runs at least this many optimizer steps.
    public var allocateMinimumSteps: Int
    /// Adam's learning rate in every stage.
    public var learningRate: LearningRate

    public init(sourceEpochs: Int, allocateEpochs: Int, targetEpochs: Int, batchSize: Int, targetBatchCap: Int,
                targetMinimumSteps: Int = 0, sourceMinimumSteps: Int = 0, allocateMinimumSteps: Int = 0,
                learningRate: LearningRate = .standard) {
        self.sourceEpochs = sourceEpochs
        self.allocateEpochs = allocateEpochs
        self.targetEpochs = targetEpochs
        self.batchSize = batchSize
        self.targetBatchCap = targetBatchCap
        self.targetMinimumSteps = targetMinimumSteps
        self.sourceMinimumSteps = sourceMinimumSteps
        self.allocateMinimumSteps = allocateMinimumSteps
        self.learningRate = learningRate
    }

    /// The tabular benchmarks' schedule (`friedman`, `pendulum`, `burgers`) and the default for
    /// feature-table models: 60 / 30 / 300 epochs, batch 128, target batch `min(n, 32)`.
    public static let tabular = StageSchedules(sourceEpochs: 60, allocateEpochs: 30, targetEpochs: 300, batchSize: 128, targetBatchCap: 32)

    /// The `shapes` benchmark's schedule and the default for image models: max(8 epochs, 300
    /// steps) of source training and max(3 epochs, 300 steps) of allocation at batch 128; target
    /// max(30 epochs, 300 steps) at batch `min(n, 64)` (a ResNet sees far more samples per epoch
    /// than an MLP, so it needs far fewer epochs; on the benchmark's 20,000 source images the
    /// epoch counts decide).
    public static let images = StageSchedules(sourceEpochs: 8, allocateEpochs: 3, targetEpochs: 30, batchSize: 128, targetBatchCap: 64,
                                              targetMinimumSteps: 300, sourceMinimumSteps: 300, allocateMinimumSteps: 300)

    /// The defaults for a network that does or does not take images.
    public static func defaults(images: Bool) -> StageSchedules { images ? .images : .tabular }

    /// Source training on `n` rows.
    public func source(rows n: Int) -> TrainingSchedule { schedule(epochs: sourceEpochs, minimumSteps: sourceMinimumSteps, batch: batchSize, rows: n) }
    /// PAC-Net's allocation stage on `n` rows.
    public func allocate(rows n: Int) -> TrainingSchedule { schedule(epochs: allocateEpochs, minimumSteps: allocateMinimumSteps, batch: batchSize, rows: n) }
    /// Target training on `n` rows, every method.
    public func target(rows n: Int) -> TrainingSchedule {
        schedule(epochs: targetEpochs, minimumSteps: targetMinimumSteps, batch: max(1, min(n, targetBatchCap)), rows: n)
    }

    /// `epochs` at `batch`, or enough epochs for `minimumSteps` steps on `n` rows.
    private func schedule(epochs: Int, minimumSteps: Int, batch: Int, rows n: Int) -> TrainingSchedule {
        let stepsPerEpoch = max(1, (n + batch - 1) / batch)
        return TrainingSchedule(epochs: max(epochs, (minimumSteps + stepsPerEpoch - 1) / stepsPerEpoch), batchSize: batch,
                                learningRate: learningRate.value)
    }

    /// The target schedule in words, for help text and reports: `300 epochs` or `max(30 epochs,
    /// 300 steps)`, and the batch rule.
    public var targetDescription: String {
        let epochs = targetMinimumSteps > 0 ? "max(\(targetEpochs) epochs, \(targetMinimumSteps) steps)" : "\(targetEpochs) epochs"
        return "\(epochs) at batch min(rows, \(targetBatchCap))"
    }

    /// Checks every value, naming the first one out of range.
    public func validate() throws(SettingError) {
        for (name, epochs) in [("source epochs", sourceEpochs), ("allocation epochs", allocateEpochs), ("target epochs", targetEpochs)] where epochs < 1 {
            throw SettingError(name, must: "at least 1", got: epochs)
        }
        if batchSize < 1 { throw SettingError("batch size", must: "at least 1", got: batchSize) }
        if targetBatchCap < 1 { throw SettingError("target batch size", must: "at least 1", got: targetBatchCap) }
        for (name, steps) in [("minimum target steps", targetMinimumSteps), ("minimum source steps", sourceMinimumSteps),
                              ("minimum allocation steps", allocateMinimumSteps)] where steps < 0 {
            throw SettingError(name, must: ">= 0", got: steps)
        }
    }
}
