/// Where training reports its progress: one observer for the current task (a task-local, as
/// `GradientMode` is), so the stages that train need no progress parameters, and a label naming
/// the stage that is training (`allocate r=0.8`, `select 3/20 fold 2/5`). Benchmark seeds that
/// run on worker threads report nothing unless they bind an observer themselves.
public enum TrainingProgress {
    /// Called after every optimizer step with the current stage's label.
    public typealias Observer = @Sendable (_ stage: String, _ step: StepReport) -> Void

    @TaskLocal static var observer: Observer?
    @TaskLocal static var label = "train"

    /// Runs `body` with `observer` receiving every optimizer step of the training it runs.
    public static func observing<R, E: Error>(_ observer: Observer?, _ body: () throws(E) -> R) throws(E) -> R {
        try bind($observer, observer, body)
    }

    /// Runs `body` with its training steps reported under `label`.
    public static func stage<R, E: Error>(_ label: String, _ body: () throws(E) -> R) throws(E) -> R {
        try bind($label, label, body)
    }

    /// Reports a step to the current observer, if any.
    static func report(_ step: StepReport) { observer?(label, step) }

    private static func bind<V: Sendable, R, E: Error>(_ local: TaskLocal<V>, _ value: V, _ body: () throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = local.withValue(value) {
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
