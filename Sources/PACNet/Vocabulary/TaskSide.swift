/// The two tasks one PAC-Net network serves.
///
/// A single-output network (an MLP) answers both through its one output layer: masked for the
/// source, whole for the target. A multi-task network (`MultiTaskNetwork`) has a head per side.
public enum TaskSide: String, Sendable, CaseIterable {
    /// The task the network was trained on; its model is the masked network.
    case source
    /// The new task; its model is the whole network.
    case target

    /// The head serving this side in a multi-task network.
    public var head: Int { self == .source ? 0 : 1 }
}
