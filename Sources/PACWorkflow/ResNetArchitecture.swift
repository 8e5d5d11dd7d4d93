import PACEngine
import PACNN

/// A ResNet for image attributes: a `ResNet` backbone and one linear head per task (head 0 the
/// source task's attributes, head 1 the target task's, head k the k-th task of a chain). A
/// single-task model has one head; a transfer from it adds the target head.
///
/// Written `resnet:<blocks>:<w1>-<w2>-...:<channels>:heads=<source>[,<target>,...]`, e.g.
/// `resnet:1:16-32-64:3:heads=40,5` (the ResNet-8 of the `shapes` benchmark, RGB input, 40
/// source and 5 target attributes) or `resnet:1:16-32-64:3:heads=40` (one task).
public struct ResNetArchitecture: Sendable, Equatable, CustomStringConvertible {
    /// Residual blocks per stage.
    public var blocksPerStage: Int
    /// Channel count of each stage.
    public var widths: [Int]
    /// Channels of the input images.
    public var channels: Int
    /// Outputs of each head: the source task's, then (if any) the target task's.
    public var headOutputs: [Int]

    static let keyword = "resnet"
    static let grammar = "resnet:<blocks>:<w1>-<w2>-...:<channels>:heads=<source outputs>[,<target outputs>,...]"
    /// The most heads (tasks) a ResNet file may have.
    public static let maxHeads = 64

    /// The `shapes` benchmark's ResNet-8 by default (one block per stage, widths 16-32-64).
    public init(blocksPerStage: Int = 1, widths: [Int] = [16, 32, 64], channels: Int, headOutputs: [Int]) {
        precondition((1...Self.maxHeads).contains(headOutputs.count), "1 to \(Self.maxHeads) heads, got \(headOutputs.count)")
        self.blocksPerStage = blocksPerStage
        self.widths = widths
        self.channels = channels
        self.headOutputs = headOutputs
    }

    /// Parses the written form. Trailing parts may be left out (`resnet`, `resnet:2`,
    /// `resnet:1:8-16`, ...) and are then taken from `defaults`, as when the data determines
    /// the channels and head sizes.
    public init(parsing text: String, defaults: ResNetArchitecture?) throws(WorkflowError) {
        let usage = "architecture \(WorkflowError.quoted(text)) is not of the form \(Self.grammar)"
            + (defaults == nil ? "" : " (trailing parts may be left out)")
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.removeFirst() == Self.keyword, parts.count <= 4 else { throw WorkflowError(usage) }
        guard parts.count == 4 || defaults != nil else { throw WorkflowError(usage) }
        func positive(_ text: String, separator: Character) -> [Int]? {
            let values = text.split(separator: separator, omittingEmptySubsequences: false).map { Int($0) ?? 0 }
            return values.allSatisfy { $0 > 0 } ? values : nil
        }
        func part<T>(_ index: Int, _ fallback: T?, _ parse: (String) -> T?) throws(WorkflowError) -> T {
            guard index < parts.count else {
                guard let fallback else { throw WorkflowError(usage) }
                return fallback
            }
            guard let value = parse(parts[index]) else { throw WorkflowError(usage) }
            return value
        }
        blocksPerStage = try part(0, defaults?.blocksPerStage) { Int($0).flatMap { $0 > 0 ? $0 : nil } }
        widths = try part(1, defaults?.widths) { positive($0, separator: "-") }
        channels = try part(2, defaults?.channels) { Int($0).flatMap { $0 > 0 ? $0 : nil } }
        headOutputs = try part(3, defaults?.headOutputs) { text in
            guard text.hasPrefix("heads="), let heads = positive(String(text.dropFirst("heads=".count)), separator: ","),
                  (1...Self.maxHeads).contains(heads.count) else { return nil }
            return heads
        }
    }

    public var description: String {
        "\(Self.keyword):\(blocksPerStage):\(widths.map(String.init).joined(separator: "-")):\(channels)"
            + ":heads=\(headOutputs.map(String.init).joined(separator: ","))"
    }

    /// The number of parameters (weights and biases, not buffers; see `ResNet` and `BasicBlock`
    /// for the layers), or nil when it exceeds `limit`. Counting stops at the limit, so a
    /// hostile block count costs no more than `limit` steps.
    func parameterCount(atMost limit: Int) -> Int? {
        var count = ParameterCount(limit: limit)
        guard let first = widths.first else { return nil }
        count.add(channels, 9, times: first)  // stem convolution
        count.add(first, 2)  // stem batch norm
        var inputs = first
        for (stage, width) in widths.enumerated() {
            for block in 0..<blocksPerStage {
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

    /// The backbone (drawn from `rng` first), then the heads in order; the source head active.
    public func makeNetwork(rng: inout RandomGenerator) -> MultiHeadModel<ResNet> {
        let backbone = ResNet(blocksPerStage: blocksPerStage, widths: widths, inChannels: channels, rng: &rng)
        return MultiHeadModel(backbone: backbone, headOutputs: headOutputs, rng: &rng)
    }
}
