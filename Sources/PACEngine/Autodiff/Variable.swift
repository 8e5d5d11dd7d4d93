/// A node of a dynamically built computation graph, for reverse-mode automatic differentiation.
///
/// Leaves are created with `Variable(_:requiresGrad:)`; every differentiable operation on
/// variables returns a new node that remembers its inputs and a *pullback*: a closure mapping
/// the gradient of the node's output to the gradients of its inputs. `backward()` walks the
/// graph once in reverse topological order and accumulates gradients into leaves' `grad`
/// (like PyTorch's `.grad`). Intermediate gradients are never stored on nodes. As in PyTorch,
/// `backward()` then releases the graph it walked (pass `retainGraph: true` to walk it again).
public final class Variable {
    /// The tensor this node holds. Mutable for leaves such as parameters updated by optimizers.
    public var value: Tensor
    /// The accumulated gradient of the last `backward()` calls (leaves only).
    public var grad: Tensor?
    /// Whether gradients flow to this node.
    public let requiresGrad: Bool
    private(set) var inputs: [Variable]
    private(set) var pullback: ((Tensor) -> [Tensor?])?
    /// Set when `backward()` released this operation's pullback and inputs.
    private var released = false

    /// A leaf variable.
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.inputs = []
        self.pullback = nil
    }

    private init(value: Tensor, inputs: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        self.requiresGrad = true
        self.inputs = inputs
        self.pullback = pullback
    }

    /// The shape of `value`.
    public var shape: [Int] { value.shape }

    /// True for nodes not produced by an operation.
    public var isLeaf: Bool { pullback == nil && !released }

    /// Records the result of an operation. When gradients are disabled or no input requires
    /// them, the result is a constant leaf and `pullback` is dropped.
    public static func record(_ value: Tensor, inputs: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) -> Variable {
        guard recordsGraph(inputs) else { return Variable(value) }
        return Variable(value: value, inputs: inputs, pullback: pullback)
    }

    /// Whether `record` keeps an operation on `inputs` for `backward()`: gradients are enabled
    /// and some input requires them. An operation can skip what only its pullback needs otherwise.
    public static func recordsGraph(_ inputs: [Variable]) -> Bool {
        GradientMode.isEnabled && inputs.contains(where: \.requiresGrad)
    }

    /// Back-propagates from this node, adding d(self)/d(leaf) · seed into every leaf's `grad`.
    ///
    /// Unless `retainGraph`, each operation's pullback and inputs are released once it has run,
    /// as PyTorch frees its graph: the tensors saved for the backward pass go back to the buffer
    /// pool during the pass, and the parameters' values are no longer shared with the graph, so
    /// an optimizer updates them in place instead of copying them first. Walking a released
    /// graph again is a programming error and stops the program.
    ///
    /// - Parameters:
    ///   - seed: the gradient of the final objective with respect to this node; defaults to
    ///     ones (so a scalar loss gets d loss / d leaf).
    ///   - retainGraph: keep the graph for another `backward()` through it.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false) {
        guard requiresGrad else { return }
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor(ones: shape)]
        for node in order.reversed() {
            precondition(!node.released, "backward() through a graph an earlier backward() released; pass retainGraph: true to that one")
            guard let gradient = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            guard let pullback = node.pullback else {
                if node.grad == nil { node.grad = gradient } else { node.grad!.add(gradient) }
                continue
            }
            let inputGradients = pullback(gradient)
            let inputs = node.inputs
            if !retainGraph { node.release() }
            for (input, inputGradient) in zip(inputs, inputGradients) where input.requiresGrad {
                guard let inputGradient else { continue }
                precondition(inputGradient.shape == input.shape, "pullback produced \(inputGradient.shape) for input \(input.shape)")
                let key = ObjectIdentifier(input)
                if pending[key] == nil { pending[key] = inputGradient } else { pending[key]!.add(inputGradient) }
            }
        }
    }

    /// Drops the pullback (and with it the tensors it saved) and the inputs of an operation.
    private func release() {
        pullback = nil
        inputs = []
        released = true
    }

    /// Nodes reachable from `self` that require gradients, inputs before outputs.
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
