import PACEngine

/// Max pooling over NCHW tensors (PyTorch's `nn.MaxPool2d` with square windows): `[N, C, H, W]`
/// to `[N, C, Ho, Wo]`, `Ho = (H + 2 * padding - kernelSize) / stride + 1`. No parameters.
public final class MaxPool2d: Layer {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    /// `stride` defaults to `kernelSize`; `padding` must be at most `kernelSize / 2`.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0 && padding >= 0 && padding <= kernelSize / 2,
                     "MaxPool2d: kernel \(kernelSize), stride \(String(describing: stride)), padding \(padding)")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding)
    }

    public func clone() -> MaxPool2d { MaxPool2d(kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Average pooling over NCHW tensors without padding (PyTorch's `nn.AvgPool2d` with square
/// windows): `[N, C, H, W]` to `[N, C, Ho, Wo]`, `Ho = (H - kernelSize) / stride + 1`. No parameters.
public final class AvgPool2d: Layer {
    public let kernelSize: Int
    public let stride: Int

    /// `stride` defaults to `kernelSize`.
    public init(kernelSize: Int, stride: Int? = nil) {
        precondition(kernelSize > 0 && (stride ?? 1) > 0, "AvgPool2d: kernel \(kernelSize), stride \(String(describing: stride))")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        input.avgPool2d(kernel: kernelSize, stride: stride)
    }

    public func clone() -> AvgPool2d { AvgPool2d(kernelSize: kernelSize, stride: stride) }
}

/// Global average pooling (PyTorch's `nn.AdaptiveAvgPool2d(1)` followed by `flatten(1)`):
/// `[N, C, H, W]` (NCHW) to `[N, C]`, each channel's mean. No parameters.
public final class GlobalAvgPool: Layer {
    public init() {}

    public func callAsFunction(_ input: Variable) -> Variable { input.globalAveragePool() }

    public func clone() -> GlobalAvgPool { GlobalAvgPool() }
}
