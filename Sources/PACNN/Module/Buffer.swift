import PACEngine

/// A named, non-trainable state tensor of a module: PyTorch's *buffer* (`register_buffer`), such
/// as batch normalization's `running_mean`, `running_var` and `num_batches_tracked`.
///
/// Buffers are part of a model's state (they are saved and loaded with it) but are not
/// parameters: optimizers never see them, they have no gradient and no update mask, and the
/// layer that owns them updates them itself (for example batch normalization in training mode).
public final class Buffer {
    /// The current values; assignments must keep the shape.
    public var value: Tensor {
        didSet { precondition(value.shape == oldValue.shape, "assigning \(value.shape) to buffer \(oldValue.shape)") }
    }

    /// Creates a buffer holding `value`.
    public init(_ value: Tensor) { self.value = value }

    /// The shape of the buffer.
    public var shape: [Int] { value.shape }
}

/// A module that owns buffers, with local names such as `running_mean`.
///
/// Until `Module` itself gains an `ownBuffers` requirement, buffer-owning modules adopt this
/// protocol and `namedBuffers()` finds them by walking `children`.
public protocol BufferOwning: Module {
    /// Buffers owned directly by this module, in PyTorch's registration order.
    var ownBuffers: [(name: String, buffer: Buffer)] { get }
}

extension Module {
    /// Every buffer of the tree with its dotted name (`layer1.0.bn1.running_mean`), own buffers
    /// first, then each child's, in definition order.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        var result = (self as? any BufferOwning)?.ownBuffers ?? []
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
