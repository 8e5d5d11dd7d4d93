/// A node of a dynamically built computation graph, for reverse-mode automatic differentiation.
///
/// Leaves are created with `Variable(_:requiresGrad:)`; every differentiable operation on
/// variables returns a new node that remembers its inputs and a *pullback*: a closure mapping
/// the gradient of the node's output to the gradients of its inputs. `backward()` walks the
/// graph once in reverse topological order and accumulates gradients into leaves' `grad`
/// (like PyTorch's `.grad`). Intermediate gradients are never stored on nodes.
public final class Variable {
    /// The tensor this node holds. Mutable for leaves such as parameters updated by optimizers.
    public var value: Tensor
    /// The accumulated gradient of the last `backward()` calls (leaves only).
    public var grad: Tensor?
    /// Whether gradients flow to this node.
    public let requiresGrad: Bool
    @usableFromInline let inputs: [Variable]
    @usableFromInline let pullback: ((Tensor) -> [Tensor?])?

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
    public var isLeaf: Bool { pullback == nil }

    /// Records the result of an operation. When gradients are disabled or no input requires
    /// them, the result is a constant leaf and `pullback` is dropped.
    public static func record(_ value: Tensor, inputs: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) -> Variable {
        guard GradientMode.isEnabled, inputs.contains(where: \.requiresGrad) else { return Variable(value) }
        return Variable(value: value, inputs: inputs, pullback: pullback)
    }

    /// Back-propagates from this node, adding d(self)/d(leaf) · seed into every leaf's `grad`.
    ///
    /// - Parameter seed: the gradient of the final objective with respect to this node;
    ///   defaults to ones (so a scalar loss gets d loss / d leaf).
    public func backward(seed: Tensor? = nil) {
        guard requiresGrad else { return }
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor(ones: shape)]
        for node in order.reversed() {
            guard let gradient = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            guard let pullback = node.pullback else {
                if node.grad == nil { node.grad = gradient } else { node.grad!.add(gradient) }
                continue
            }
            let inputGradients = pullback(gradient)
            for (input, inputGradient) in zip(node.inputs, inputGradients) where input.requiresGrad {
                guard let inputGradient else { continue }
                precondition(inputGradient.shape == input.shape, "pullback produced \(inputGradient.shape) for input \(input.shape)")
                let key = ObjectIdentifier(input)
                if pending[key] == nil { pending[key] = inputGradient } else { pending[key]!.add(inputGradient) }
            }
        }
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
