import PACEngine

/// A 2-D convolution layer over NCHW tensors (PyTorch's `nn.Conv2d` with square kernels,
/// symmetric stride and zero padding): input `[N, inChannels, H, W]`, output
/// `[N, outChannels, Ho, Wo]` with `Ho = (H + 2 * padding - kernelSize) / stride + 1`.
///
/// Parameters use PyTorch's layout and default initialization: `weight` `[out, in, k, k]` and
/// `bias` `[out]` both ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with `fanIn = inChannels * k * k` (what
/// `kaiming_uniform_(a=sqrt(5))` and the bias rule reduce to).
public final class Conv2d: Layer {
    /// `[outChannels, inChannels, kernelSize, kernelSize]`.
    public let weight: Parameter
    /// `[outChannels]`, if the layer has a bias.
    public let bias: Parameter?
    /// The window step in both directions.
    public let stride: Int
    /// Zeros added on every side of each image.
    public let padding: Int

    /// A layer initialized from `rng` (weight first, then bias).
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias hasBias: Bool = true, rng: inout RandomGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0, "Conv2d needs positive sizes")
        precondition(stride > 0 && padding >= 0, "Conv2d: stride \(stride), padding \(padding)")
        let bound = 1 / Float(inChannels * kernelSize * kernelSize).squareRoot()
        weight = Parameter(rng.uniformTensor(shape: [outChannels, inChannels, kernelSize, kernelSize], low: -bound, high: bound),
                           role: .weight)
        bias = hasBias ? Parameter(rng.uniformTensor(shape: [outChannels], low: -bound, high: bound), role: .bias) : nil
        self.stride = stride
        self.padding = padding
    }

    /// A layer with given parameter values (`weight` `[out, in, kh, kw]`, `bias` `[out]`).
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) {
        precondition(weight.rank == 4, "Conv2d weight must be [out, in, kh, kw], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Conv2d bias \(bias.shape) for weight \(weight.shape)") }
        precondition(stride > 0 && padding >= 0, "Conv2d: stride \(stride), padding \(padding)")
        self.weight = Parameter(weight, role: .weight)
        self.bias = bias.map { Parameter($0, role: .bias) }
        self.stride = stride
        self.padding = padding
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    /// The kernel's height (`kernelSize` for layers built with it).
    public var kernelHeight: Int { weight.shape[2] }
    /// The kernel's width (`kernelSize` for layers built with it).
    public var kernelWidth: Int { weight.shape[3] }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        Variable.conv2d(input, weight: weight.variable, bias: bias?.variable, stride: stride, padding: padding)
    }

    public func clone() -> Conv2d {
        let copy = Conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding)
        copy.weight.updateMask = weight.updateMask
        copy.bias?.updateMask = bias?.updateMask
        return copy
    }
}
