import PACEngine

extension ResNet {
    /// torchvision's ResNets of basic blocks: the ImageNet stem and stages of widths
    /// 64-128-256-512 (`torchvision.models.resnet18` and `resnet34` without their `fc`).
    public enum Torchvision: String, Sendable, CaseIterable {
        case resnet18, resnet34

        /// Basic blocks per stage.
        public var blocks: [Int] {
            switch self {
            case .resnet18: [2, 2, 2, 2]
            case .resnet34: [3, 4, 6, 3]
            }
        }

        /// Channels of the four stages.
        public static let widths = [64, 128, 256, 512]
    }

    /// A freshly initialized backbone of torchvision's `layout` (PyTorch's default convolution
    /// initialization; torchvision's own `resnet18()` draws Kaiming-normal weights instead).
    public convenience init(_ layout: Torchvision, inChannels: Int = 3, rng: inout RandomGenerator) {
        self.init(blocks: layout.blocks, widths: Torchvision.widths, inChannels: inChannels, stem: .imagenet, rng: &rng)
    }
}
