import PACNN

/// How transfer treats multi-task networks (`MultiTaskNetwork`, such as `MultiHeadModel`): the
/// head of `TaskSide.source` serves the source task and that of `.target` the target task; the
/// shared body is what PAC-Net prunes and calibrates. Every function is a no-op or empty for
/// single-output networks, whose last layer is shared by both tasks.
public enum TaskHeads {
    /// Makes `side`'s head the active head of a multi-task network.
    public static func select(_ side: TaskSide, in model: some Layer) { select(head: side.head, in: model) }

    /// Makes head `head` (task `head` of a `TaskChain`) the active head of a multi-task network.
    public static func select(head: Int, in model: some Layer) {
        guard let network = model as? any MultiTaskNetwork else { return }
        precondition(network.headCount > head, "transfer needs a network with a head \(head) (it has \(network.headCount))")
        network.activeHead = head
    }

    /// The parameters of `side`'s head, or none for a single-output network.
    public static func parameters(of side: TaskSide, in model: some Layer) -> [Parameter] { parameters(ofHead: side.head, in: model) }

    /// The parameters of head `head`, or none for a single-output network.
    public static func parameters(ofHead head: Int, in model: some Layer) -> [Parameter] {
        guard let network = model as? any MultiTaskNetwork else { return [] }
        return network.headParameters(head)
    }

    /// The parameters of every head, or none for a single-output network.
    public static func allParameters(in model: some Layer) -> [Parameter] {
        guard let network = model as? any MultiTaskNetwork else { return [] }
        return (0..<network.headCount).flatMap { network.headParameters($0) }
    }

    /// Whether `model` has task heads.
    public static func isMultiTask(_ model: some Layer) -> Bool { model is any MultiTaskNetwork }
}
