/// Where training reports its progress: one observer for the current task (a task-local, as
/// `GradientMode` is), so the stages that train need no progress parameters, and the stage that
/// is training (`train`, `allocate r=0.8`, `select` candidate 3 of 20, fold 2 of 5). Benchmark
/// seeds that run on worker threads report nothing unless they bind an observer themselves.
public enum TrainingProgress {
    /// Called after every optimizer step with the current stage.
    public typealias Observer = @Sendable (_ stage: Stage, _ step: StepReport) -> Void

    /// A labelled stage, possibly one part of a larger job (a cross-validation's fold trainings),
    /// so a display can estimate what remains of the whole job.
    public struct Stage: Sendable, Equatable {
        /// The stage's name, shared by every part of a job.
        public var name: String
        /// This part's position (from 0) and the job's number of parts; 0 of 1 for a lone stage.
        public var part: Int
        public var parts: Int
        /// Which part, in words (`candidate 3/20 fold 2/5`).
        public var detail: String?

        public init(_ name: String, part: Int = 0, of parts: Int = 1, detail: String? = nil) {
            self.name = name
            self.part = part
            self.parts = parts
            self.detail = detail
        }
    }

    @TaskLocal static var observer: Observer?
    @TaskLocal static var current = Stage("train")

    /// Runs `body` with `observer` receiving every optimizer step of the training it runs.
    public static func observing<R, E: Error>(_ observer: Observer?, _ body: () throws(E) -> R) throws(E) -> R {
        try bind($observer, observer, body)
    }

    /// Runs `body` with its training steps reported under `stage`.
    public static func stage<R, E: Error>(_ stage: Stage, _ body: () throws(E) -> R) throws(E) -> R {
        try bind($current, stage, body)
    }

    /// Runs `body` with its training steps reported under a lone stage called `name`.
    public static func stage<R, E: Error>(_ name: String, _ body: () throws(E) -> R) throws(E) -> R {
        try bind($current, Stage(name), body)
    }

    /// Reports a step to the current observer, if any.
    static func report(_ step: StepReport) { observer?(current, step) }

    private static func bind<V: Sendable, R, E: Error>(_ local: TaskLocal<V>, _ value: V, _ body: () throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = local.withValue(value) {
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
