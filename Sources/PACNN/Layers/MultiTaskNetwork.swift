import PACEngine

/// A network with a shared body and one output head per task (`MultiHeadModel`). Transfer code
/// selects the head of the task it trains and treats head parameters apart from the body's:
/// PAC-Net prunes only the body, and a new target head is fully trainable.
///
/// Convention of the transfer methods: head 0 serves the source task, head 1 the target task.
public protocol MultiTaskNetwork: Layer {
    /// The number of heads.
    var headCount: Int { get }
    /// The head the forward pass uses.
    var activeHead: Int { get set }
    /// The parameters of one head.
    func headParameters(_ head: Int) -> [Parameter]
}

extension MultiHeadModel: MultiTaskNetwork {
    public var headCount: Int { heads.count }

    public func headParameters(_ head: Int) -> [Parameter] { heads[head].parameters() }
}
