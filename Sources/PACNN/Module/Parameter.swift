import PACEngine

/// A trainable tensor of a module, with an optional *update mask*.
///
/// The update mask is the one mechanism that decides which entries may change: an optimizer
/// updates entry `i` (its value and its optimizer state) only where `updateMask[i] != 0`.
/// Freezing a parameter, holding pruned weights at zero during allocation, and training only the
/// pruned weights during PAC-Net calibration are all expressed as update masks.
public final class Parameter {
    /// What a parameter is for; pruning selects parameters by role.
    public enum Role: String, Sendable {
        /// A weight matrix or convolution kernel.
        case weight
        /// An additive bias.
        case bias
        /// A normalization scale or shift.
        case normalization
    }

    /// The leaf variable layers read in their forward pass.
    public let variable: Variable
    /// What this parameter is for.
    public let role: Role
    /// Which entries optimizers may change (1) and which are frozen (0); `nil` means all change.
    public var updateMask: Tensor? {
        didSet {
            if let updateMask { precondition(updateMask.shape == value.shape, "update mask \(updateMask.shape) for parameter \(value.shape)") }
            // Computed once here, not on every optimizer step.
            isFrozen = updateMask.map { $0.allSatisfy { $0 == 0 } } ?? false
        }
    }

    /// True when the update mask freezes every entry.
    public private(set) var isFrozen = false

    /// Creates a parameter holding `value`.
    public init(_ value: Tensor, role: Role) {
        self.variable = Variable(value, requiresGrad: true)
        self.role = role
    }

    /// The current values.
    public var value: Tensor {
        get { variable.value }
        set {
            precondition(newValue.shape == variable.value.shape, "assigning \(newValue.shape) to parameter \(variable.value.shape)")
            variable.value = newValue
        }
    }

    /// The gradient accumulated by `backward()`, if any.
    public var grad: Tensor? { variable.grad }

    /// The shape of the parameter.
    public var shape: [Int] { variable.value.shape }

    /// Clears the accumulated gradient.
    public func zeroGrad() { variable.grad = nil }


    /// Freezes every entry (an all-zero update mask).
    public func freeze() { updateMask = Tensor(zeros: shape) }

    /// Makes every entry trainable again.
    public func unfreeze() { updateMask = nil }
}
