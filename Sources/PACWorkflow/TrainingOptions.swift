import PACNN
import PACNet

/// Settings of one training stage run from files.
public struct TrainingOptions: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var seed: UInt64
    /// Fraction of the rows held out (seeded) to report a validation score; 0 for none.
    public var validation: Double

    public init(epochs: Int, batchSize: Int, learningRate: Float = 1e-3, seed: UInt64 = 0, validation: Double = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.validation = validation
    }

    /// The stage's training schedule.
    public var schedule: TrainingSchedule { TrainingSchedule(epochs: epochs, batchSize: batchSize, learningRate: learningRate) }

    /// These options as calibration's target schedule: `epochs` epochs at batch
    /// `min(rows, batchSize)`, no minimum step count.
    public func targetSchedules() throws(SettingError) -> StageSchedules {
        var schedules = StageSchedules.tabular
        schedules.targetEpochs = epochs
        schedules.targetBatchCap = batchSize
        schedules.targetMinimumSteps = 0
        schedules.learningRate = try LearningRate(learningRate)
        try schedules.validate()
        return schedules
    }

    /// Checks every setting, naming the first one out of range.
    public func validate() throws(SettingError) {
        if epochs < 1 { throw SettingError("epochs", must: "at least 1", got: epochs) }
        if batchSize < 1 { throw SettingError("batch size", must: "at least 1", got: batchSize) }
        _ = try LearningRate(learningRate)
        if !(validation >= 0 && validation < 1) { throw SettingError("validation fraction", must: "in [0, 1)", got: validation) }
    }
}
