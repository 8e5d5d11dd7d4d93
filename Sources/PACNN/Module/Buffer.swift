import PACEngine

/// A named, non-trainable state tensor of a module: PyTorch's *buffer* (`register_buffer`), such
/// as batch normalization's `running_mean`, `running_var` and `num_batches_tracked`.
///
/// Buffers are part of a model's state (they are saved and loaded with it) but are not
/// parameters: optimizers never see them, they have no gradient and no update mask, and the
/// layer that owns them updates them itself (for example batch normalization in training mode).
/// A module lists its own buffers in `Module.ownBuffers`; `stateDict()`, `loadStateDict(_:)`,
/// `copyState(from:)` and `clone()` include them.
public final class Buffer {
    /// The current values; assignments must keep the shape.
    public var value: Tensor {
        didSet { precondition(value.shape == oldValue.shape, "assigning \(value.shape) to buffer \(oldValue.shape)") }
    }

    /// Creates a buffer holding `value`.
    public init(_ value: Tensor) { self.value = value }

    /// The shape of the buffer.
    public var shape: [Int] { value.shape }

    /// Whether a buffer with this dotted name may be absent from a state dictionary being
    /// loaded (it then keeps its current value): true for batch normalization's
    /// `num_batches_tracked`, which PyTorch tolerates missing from older checkpoints.
    public static func mayBeMissing(_ name: String) -> Bool {
        name == "num_batches_tracked" || name.hasSuffix(".num_batches_tracked")
    }
}

extension Module {
    /// Every buffer of the tree with its dotted name (`layer1.0.bn1.running_mean`), own buffers
    /// first, then each child's, in definition order.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        var result = ownBuffers
        for (childName, child) in children {
            result += child.namedBuffers().map { ("\(childName).\($0.name)", $0.buffer) }
        }
        return result
    }

    /// The buffer with a dotted name, if any.
    public func buffer(named name: String) -> Buffer? {
        namedBuffers().first { $0.name == name }?.buffer
    }
}
