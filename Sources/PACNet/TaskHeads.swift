import PACNN

/// How transfer treats multi-task networks (`MultiTaskNetwork`, such as `MultiHeadModel`): head 0
/// serves the source task and head 1 the target task; the shared body is what PAC-Net prunes and
/// calibrates. Every function is a no-op or empty for single-output networks, whose last layer is
/// shared by both tasks.
public enum TaskHeads {
    /// The source task's head.
    public static let source = 0
    /// The target task's head.
    public static let target = 1

    /// Makes `head` the active head of a multi-task network.
    public static func select(_ head: Int, in model: some Layer) {
        guard let network = model as? any MultiTaskNetwork else { return }
        precondition(network.headCount > head, "transfer needs a network with a head \(head) (it has \(network.headCount))")
        network.activeHead = head
    }

    /// The parameters of `head`, or none for a single-output network.
    public static func parameters(of head: Int, in model: some Layer) -> [Parameter] {
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
