import PACEngine
import PACIO
import PACNN

/// A ResNet for image attributes: a `ResNet` backbone and one linear head per task (head 0 the
/// source task's attributes, head 1 the target task's, head k the k-th task of a chain). A
/// single-task model has one head; a transfer from it adds the target head.
///
/// Written `resnet:<blocks>:<w1>-<w2>-...:<channels>:heads=<source>[,<target>,...]`, e.g.
/// `resnet:1:16-32-64:3:heads=40,5` (the ResNet-8 of the `shapes` benchmark, RGB input, 40
/// source and 5 target attributes) or `resnet:1:16-32-64:3:heads=40` (one task); or, for
/// torchvision's layouts, `resnet18[:<channels>][:heads=...]` and `resnet34[...]` (see `Preset`).
public struct ResNetArchitecture: Sendable, Equatable, CustomStringConvertible {
    /// torchvision's ResNets of basic blocks (`resnet18`, `resnet34`): the ImageNet stem, widths
    /// 64-128-256-512, and torchvision's tensor names in files (`conv1.weight`,
    /// `layer2.0.downsample.0.weight`, `fc.weight` for the source head; see `TorchvisionNames`).
    public typealias Preset = ResNet.Torchvision

    /// Residual blocks of each stage.
    public var blocks: [Int]
    /// Channel count of each stage.
    public var widths: [Int]
    /// torchvision's layout this architecture is, if any (then `blocks`, `widths` and the stem are its).
    public var preset: Preset?
    /// Channels of the input images.
    public var channels: Int
    /// Outputs of each head: the source task's, then (if any) the target task's.
    public var headOutputs: [Int]
    /// The fixed input normalization before the stem (`:normalize=imagenet` or
    /// `:normalize=<means>/<stds>`), for models trained on normalized pixels.
    public var inputNormalization: ChannelNormalization?

    static let keyword = "resnet"
    static let grammar = "resnet:<blocks>:<w1>-<w2>-...:<channels>:heads=<source outputs>[,<target outputs>,...]"
        + " or resnet18|resnet34[:<channels>][:heads=<source outputs>[,...]], either followed by"
        + " :normalize=imagenet or :normalize=<mean>,.../<std>,... (one per channel)"
    /// The most heads (tasks) a ResNet file may have.
    public static let maxHeads = 64

    /// The `shapes` benchmark's ResNet-8 by default (one block per stage, widths 16-32-64).
    public init(blocksPerStage: Int = 1, widths: [Int] = [16, 32, 64], channels: Int, headOutputs: [Int]) {
        precondition((1...Self.maxHeads).contains(headOutputs.count), "1 to \(Self.maxHeads) heads, got \(headOutputs.count)")
        self.blocks = Array(repeating: blocksPerStage, count: widths.count)
        self.widths = widths
        self.channels = channels
        self.headOutputs = headOutputs
    }

    /// torchvision's `preset` layout with `channels` input channels and these heads.
    public init(preset: Preset, channels: Int = 3, headOutputs: [Int]) {
        precondition((1...Self.maxHeads).contains(headOutputs.count), "1 to \(Self.maxHeads) heads, got \(headOutputs.count)")
        self.blocks = preset.blocks
        self.widths = Preset.widths
        self.preset = preset
        self.channels = channels
        self.headOutputs = headOutputs
    }

    /// The stem of the backbone: torchvision's ImageNet stem for the presets.
    public var stem: ResNet.Stem { preset == nil ? .cifar : .imagenet }

    /// Parses `resnet18[:<channels>][:heads=...]` (or `resnet34...`); missing parts come from
    /// `defaults` (channels 3 without them).
    private init?(parsingPreset text: String, defaults: ResNetArchitecture?, usage: String) throws(WorkflowError) {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let preset = Preset(rawValue: parts.removeFirst()) else { return nil }
        var channels = defaults?.channels ?? 3
        var heads = defaults?.headOutputs
        if let first = parts.first, !first.hasPrefix("heads=") {
            guard let value = Int(first), value > 0 else { throw WorkflowError(usage) }
            channels = value
            parts.removeFirst()
        }
        if let last = parts.first {
            guard last.hasPrefix("heads="), let values = Self.positive(String(last.dropFirst("heads=".count)), separator: ","),
                  (1...Self.maxHeads).contains(values.count) else { throw WorkflowError(usage) }
            heads = values
            parts.removeFirst()
        }
        guard parts.isEmpty, let heads else { throw WorkflowError(usage) }
        self.init(preset: preset, channels: channels, headOutputs: heads)
    }

    private static func positive(_ text: String, separator: Character) -> [Int]? {
        let values = text.split(separator: separator, omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        return values.allSatisfy { $0 > 0 } ? values : nil
    }

    /// Parses the written form. Trailing parts may be left out (`resnet`, `resnet:2`,
    /// `resnet:1:8-16`, ...) and are then taken from `defaults`, as when the data determines
    /// the channels and head sizes.
    public init(parsing fullText: String, defaults: ResNetArchitecture?) throws(WorkflowError) {
        let usage = "architecture \(WorkflowError.quoted(fullText)) is not of the form \(Self.grammar)"
            + (defaults == nil ? "" : " (trailing parts may be left out)")
        var text = fullText
        var normalization: ChannelNormalization?
        if let range = text.range(of: ":normalize=") {
            normalization = try Self.normalization(String(text[range.upperBound...]), usage: usage)
            text = String(text[..<range.lowerBound])
        }
        try self.init(parsingLayout: text, defaults: defaults, usage: usage)
        if let normalization {
            guard normalization.mean.count == channels else {
                throw WorkflowError("architecture \(WorkflowError.quoted(fullText)): the normalization has \(normalization.mean.count) channels, the images \(channels)")
            }
            inputNormalization = normalization
        }
    }

    /// `imagenet`, or `<mean>,<mean>,.../<std>,<std>,...`.
    private static func normalization(_ text: String, usage: String) throws(WorkflowError) -> ChannelNormalization {
        if text == "imagenet" { return .imagenet }
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2 else { throw WorkflowError(usage) }
        let mean = halves[0].split(separator: ",", omittingEmptySubsequences: false).map { Float($0) }
        let std = halves[1].split(separator: ",", omittingEmptySubsequences: false).map { Float($0) }
        guard mean.allSatisfy({ $0 != nil }), std.allSatisfy({ $0 != nil }),
              let normalization = ChannelNormalization(mean: mean.map { $0! }, std: std.map { $0! }) else {
            throw WorkflowError(usage + "; a normalization needs as many finite means as positive finite standard deviations")
        }
        return normalization
    }

    private init(parsingLayout text: String, defaults: ResNetArchitecture?, usage: String) throws(WorkflowError) {
        if let preset = try Self(parsingPreset: text, defaults: defaults, usage: usage) {
            self = preset
            return
        }
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.removeFirst() == Self.keyword, parts.count <= 4 else { throw WorkflowError(usage) }
        guard parts.count == 4 || defaults != nil else { throw WorkflowError(usage) }
        func part<T>(_ index: Int, _ fallback: T?, _ parse: (String) -> T?) throws(WorkflowError) -> T {
            guard index < parts.count else {
                guard let fallback else { throw WorkflowError(usage) }
                return fallback
            }
            guard let value = parse(parts[index]) else { throw WorkflowError(usage) }
            return value
        }
        // A preset's defaults give their widths but not their per-stage block counts.
        let defaultBlocks = defaults.flatMap { $0.preset == nil && Set($0.blocks).count == 1 ? $0.blocks[0] : nil }
        let blocksPerStage = try part(0, defaultBlocks) { Int($0).flatMap { $0 > 0 ? $0 : nil } }
        widths = try part(1, defaults?.widths) { Self.positive($0, separator: "-") }
        blocks = Array(repeating: blocksPerStage, count: widths.count)
        channels = try part(2, defaults?.channels) { Int($0).flatMap { $0 > 0 ? $0 : nil } }
        headOutputs = try part(3, defaults?.headOutputs) { text in
            guard text.hasPrefix("heads="), let heads = Self.positive(String(text.dropFirst("heads=".count)), separator: ","),
                  (1...Self.maxHeads).contains(heads.count) else { return nil }
            return heads
        }
    }

    public var description: String {
        let heads = "heads=\(headOutputs.map(String.init).joined(separator: ","))"
        let normalize = inputNormalization.map { normalization in
            normalization == .imagenet ? ":normalize=imagenet"
                : ":normalize=" + normalization.mean.map { "\($0)" }.joined(separator: ",") + "/" + normalization.std.map { "\($0)" }.joined(separator: ",")
        } ?? ""
        if let preset { return "\(preset.rawValue):\(channels):\(heads)" + normalize }
        return "\(Self.keyword):\(blocks[0]):\(widths.map(String.init).joined(separator: "-")):\(channels)"
            + ":" + heads + normalize
    }

    /// The number of parameters (weights and biases, not buffers; see `ResNet` and `BasicBlock`
    /// for the layers), or nil when it exceeds `limit`. Counting stops at the limit, so a
    /// hostile block count costs no more than `limit` steps.
    func parameterCount(atMost limit: Int) -> Int? {
        var count = ParameterCount(limit: limit)
        guard let first = widths.first else { return nil }
        count.add(channels, stem == .cifar ? 9 : 49, times: first)  // stem convolution
        count.add(first, 2)  // stem batch norm
        var inputs = first
        for (stage, width) in widths.enumerated() {
            for block in 0..<blocks[stage] {
                guard count.value != nil else { return nil }
                let stride = stage > 0 && block == 0 ? 2 : 1
                count.add(inputs, 9, times: width)  // conv1
                count.add(width, 9, times: width)  // conv2
                count.add(width, 4)  // bn1, bn2
                if BasicBlock.needsProjection(inChannels: inputs, outChannels: width, stride: stride) {
                    count.add(inputs, width)  // 1x1 convolution
                    count.add(width, 2)  // its batch norm
                }
                inputs = width
            }
        }
        for outputs in headOutputs { count.add(inputs, 1, plus: 1, times: outputs) }
        return count.value
    }

    /// What a model file's tensors say of a ResNet stored in it: the input channels (the stem
    /// convolution's, `conv1.weight` or `backbone.stem.0.weight`) and each head's outputs
    /// (`fc.weight` or `heads.0.weight`, then `heads.1.weight`, ...); nil if it has no head.
    static func defaults(in file: SafetensorsFile) -> ResNetArchitecture? {
        func rows(_ name: String) -> Int? { file[name].flatMap { $0.rank == 2 ? $0.shape[0] : nil } }
        guard let first = rows("fc.weight") ?? rows("heads.0.weight"), first > 0 else { return nil }
        var heads = [first]
        while heads.count < maxHeads, let next = rows("heads.\(heads.count).weight"), next > 0 { heads.append(next) }
        let stem = file["conv1.weight"] ?? file["backbone.stem.0.weight"]
        let channels = stem.flatMap { $0.rank == 4 && $0.shape[1] > 0 ? $0.shape[1] : nil } ?? 3
        return ResNetArchitecture(channels: channels, headOutputs: heads)
    }

    /// The backbone (drawn from `rng` first), then the heads in order; the source head active.
    public func makeNetwork(rng: inout RandomGenerator) -> MultiHeadModel<ResNet> {
        let backbone = ResNet(blocks: blocks, widths: widths, inChannels: channels, stem: stem, rng: &rng)
        backbone.inputNormalization = inputNormalization
        return MultiHeadModel(backbone: backbone, headOutputs: headOutputs, rng: &rng)
    }
}
