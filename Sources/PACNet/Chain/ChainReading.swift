/// Which entries of the other tasks a task of a `TaskChain` reads.
public enum ChainReading: String, Sendable, CaseIterable {
    /// The entries of every earlier task (PackNet): masks are nested, and a task builds on all
    /// the tasks before it.
    case earlierTasks = "nested"
    /// Only the source's entries: every target is the source network plus its own entries, as
    /// in two-task PAC-Net, whatever came between.
    case sourceOnly = "source"

    /// Whether a task reads an entry owned by `owner`.
    func reads(_ owner: Float, as task: Int) -> Bool {
        switch self {
        case .earlierTasks: owner >= 0 && owner <= Float(task)
        case .sourceOnly: owner == 0 || owner == Float(task)
        }
    }
}
