/// How far through PAC-Net's pipeline a network is.
public enum PACNetStage: String, Sendable, CaseIterable, Codable {
    /// Trained on the source task (or imported): no masks yet.
    case trained
    /// Magnitude-pruned: carries masks, pruned entries are zero.
    case pruned
    /// Retrained on the source with pruned entries held at zero.
    case allocated
    /// Pruned entries trained on the target: the network serves both tasks.
    case calibrated

    /// The tasks a network at this stage serves.
    public var sides: [TaskSide] { self == .calibrated ? [.source, .target] : [.source] }
}
