import PACIO

/// One entry of a forgetting matrix: a task's test score after a step of a chain.
public struct ChainRecord: Sendable, Equatable {
    public let task: String
    public let seed: UInt64
    public let method: ChainMethod
    /// The step after which the score was measured: 0 after the source, `k` after target `k`.
    public let step: Int
    /// The scored task: 0 the source, `k` target `k`.
    public let taskIndex: Int
    public let score: Double
    /// Time of the step (training only).
    public let seconds: Double
    /// For a chain's task at its own step: its score after calibration, before its release.
    public let beforeRelease: Double?

    public init(task: String, seed: UInt64, method: ChainMethod, step: Int, taskIndex: Int, score: Double, seconds: Double,
                beforeRelease: Double? = nil) {
        self.task = task
        self.seed = seed
        self.method = method
        self.step = step
        self.taskIndex = taskIndex
        self.score = score
        self.seconds = seconds
        self.beforeRelease = beforeRelease
    }

    /// The task's name: `source`, `t1`, `t2`, ...
    public var taskName: String { ChainRecord.name(of: taskIndex) }

    public static func name(of task: Int) -> String { task == 0 ? "source" : "t\(task)" }

    /// The record as one JSON object; the score key is named after the metric (`rmse`).
    public func jsonLine(metric: String) -> String {
        var line = JSONLine()
        line.add("task", task); line.add("seed", Int(seed)); line.add("method", method.rawValue)
        line.add("step", step); line.add("chain_task", taskName); line.add(metric, score)
        if let beforeRelease { line.add("\(metric)_before_release", beforeRelease) }
        line.add("seconds", seconds)
        return line.text
    }
}
