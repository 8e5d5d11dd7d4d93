/// torchvision's tensor names for a `MultiHeadModel<ResNet>` with the ImageNet stem, so that a
/// `resnet18`/`resnet34` model file is a `torchvision.models.resnet18()` state dict plus extras:
///
///     backbone.stem.0.weight                   conv1.weight
///     backbone.stem.1.running_mean             bn1.running_mean
///     backbone.stages.0.1.conv2.weight         layer1.1.conv2.weight
///     backbone.stages.1.0.shortcut.0.weight    layer2.0.downsample.0.weight
///     heads.0.weight                           fc.weight          (the source task's head)
///     heads.1.weight                           heads.1.weight     (every later task's head)
///
/// PAC-Net's extra tensors append their suffix to these names (`conv1.weight_mask`).
enum TorchvisionNames {
    /// The torchvision name of the network entry `name`.
    static func name(for name: String) -> String {
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count > 1 ? parts[1] : nil) {
        case ("backbone", "stem"):
            guard parts.count > 2 else { return name }
            let layer = parts[2] == "0" ? "conv1" : parts[2] == "1" ? "bn1" : "stem.\(parts[2])"
            return ([layer] + parts.dropFirst(3)).joined(separator: ".")
        case ("backbone", "stages"):
            guard parts.count > 3, let stage = Int(parts[2]) else { return name }
            parts = ["layer\(stage + 1)", parts[3]] + parts.dropFirst(4)
            if parts.count > 2, parts[2] == "shortcut" { parts[2] = "downsample" }
            return parts.joined(separator: ".")
        case ("heads", "0"):
            return (["fc"] + parts.dropFirst(2)).joined(separator: ".")
        default:
            return name
        }
    }

    /// Whether `name` is an entry of a bottleneck block (`layer1.0.conv3.weight`), which
    /// torchvision's ResNet-50/101/152 have and its basic-block ResNets do not.
    static func isBottleneckEntry(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        return parts.count >= 3 && parts[0].hasPrefix("layer") && (parts[2] == "conv3" || parts[2] == "bn3")
    }
}
