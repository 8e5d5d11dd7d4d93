import PACEngine

/// A shared backbone with one linear head per task, for transfer between tasks that share
/// features but not outputs (the `shapes` benchmark: a ResNet backbone, head 0 for the source
/// task, head 1 for the target task).
///
/// `callAsFunction(_:)` runs the backbone and the head selected by `activeHead`, so `Layer`-based
/// code (`Trainer`, `TrainingSchedule`, `PACNetModel`, transfer methods) trains and evaluates one
/// task at a time unchanged: set `activeHead` first. Only the active head takes part in a
/// forward pass, so the other heads receive no gradient and optimizers leave them unchanged.
/// `callAsFunction(_:head:)` runs any head without changing `activeHead`.
///
/// Names follow a PyTorch module with `self.backbone` and `self.heads = nn.ModuleList(...)`:
/// `backbone.stem.0.weight`, ..., `heads.0.weight`, `heads.0.bias`, `heads.1.weight`, ...
public final class MultiHeadModel<Backbone: Layer>: Layer {
    public let backbone: Backbone
    /// One linear head per task, mapping the backbone's features to that task's outputs.
    public let heads: [Linear]
    /// The head `callAsFunction(_:)` (and therefore `predict` and training) uses.
    public var activeHead: Int {
        didSet { precondition(heads.indices.contains(activeHead), "head \(activeHead) of \(heads.count)") }
    }

    /// A model from a backbone and heads (each head's `inFeatures` must match the backbone's
    /// output features).
    public init(backbone: Backbone, heads: [Linear], activeHead: Int = 0) {
        precondition(!heads.isEmpty && heads.indices.contains(activeHead), "MultiHeadModel: head \(activeHead) of \(heads.count)")
        self.backbone = backbone
        self.heads = heads
        self.activeHead = activeHead
    }

    public var children: [(name: String, module: any Module)] { [("backbone", backbone), ("heads", HeadList(heads))] }

    /// The backbone followed by head `head` (whatever `activeHead` is).
    public func callAsFunction(_ input: Variable, head: Int) -> Variable {
        precondition(heads.indices.contains(head), "head \(head) of \(heads.count)")
        return heads[head](backbone(input))
    }

    /// The backbone followed by the active head.
    public func callAsFunction(_ input: Variable) -> Variable { self(input, head: activeHead) }

    /// Runs `body` with `activeHead` set to `head`, then restores the previous active head.
    public func withActiveHead<R>(_ head: Int, _ body: () throws -> R) rethrows -> R {
        let previous = activeHead
        activeHead = head
        defer { activeHead = previous }
        return try body()
    }

    /// Inference (evaluation mode, see `Layer.predict`) through head `head`.
    public func predict(_ input: Tensor, head: Int, batchSize: Int = .max) -> Tensor {
        withActiveHead(head) { predict(input, batchSize: batchSize) }
    }

    /// A deep copy: backbone (parameters, masks, buffers, modes), heads and the active head.
    public func clone() -> MultiHeadModel {
        MultiHeadModel(backbone: backbone.clone(), heads: heads.map { $0.clone() }, activeHead: activeHead)
    }
}

extension MultiHeadModel where Backbone == ResNet {
    /// A ResNet backbone with freshly initialized heads of the given output sizes (drawn from
    /// `rng` in order, after whatever the backbone drew).
    public convenience init(backbone: ResNet, headOutputs: [Int], activeHead: Int = 0, rng: inout RandomGenerator) {
        var heads: [Linear] = []
        for outputs in headOutputs {
            heads.append(Linear(inFeatures: backbone.featureCount, outFeatures: outputs, rng: &rng))
        }
        self.init(backbone: backbone, heads: heads, activeHead: activeHead)
    }
}

/// The `heads` container (PyTorch's `nn.ModuleList`): children `0`, `1`, ...
private final class HeadList: Module {
    let heads: [Linear]
    init(_ heads: [Linear]) { self.heads = heads }
    var children: [(name: String, module: any Module)] { heads.enumerated().map { ("\($0.offset)", $0.element) } }
}
