import PACEngine
import PACNN
import PACNet

/// A self-describing network architecture string, stored in model files so they can be
/// rebuilt without code. Two kinds:
///
/// - `mlp:<in>-<hidden>-...-<out>:<activation>`, e.g. `mlp:10-100-100-100-1:relu`: a feature
///   table in, one set of outputs shared by both tasks;
/// - `resnet:<blocks>:<w1>-<w2>-...:<channels>:heads=<source>,<target>`, e.g.
///   `resnet:1:16-32-64:3:heads=40,5`: images in, a ResNet backbone shared by both tasks with
///   one linear head per task (see `ResNetArchitecture`); `resnet18:3:heads=40,5` and
///   `resnet34...` are torchvision's layouts.
public enum Architecture: Sendable, Equatable, CustomStringConvertible {
    /// A multilayer perceptron with these layer widths (input first).
    case mlp(sizes: [Int], activation: Activation)
    /// A `MultiHeadModel<ResNet>`.
    case resnet(ResNetArchitecture)

    /// An MLP.
    public init(sizes: [Int], activation: Activation) {
        self = .mlp(sizes: sizes, activation: activation)
    }

    /// Parses either kind. For `resnet`, trailing parts may be left out when `imageDefaults`
    /// supplies them (see `ResNetArchitecture.init(parsing:defaults:)`).
    public init(parsing text: String, imageDefaults: ResNetArchitecture? = nil) throws(WorkflowError) {
        try self.init(parsingShape: text, imageDefaults: imageDefaults)
        // A network this machine cannot hold is refused here, before anything is allocated.
        guard parameterCount(atMost: Self.largestParameterCount) != nil else {
            throw WorkflowError("architecture \(WorkflowError.quoted(text)) has more than \(Self.largestParameterCount) parameters, the most pacnet trains")
        }
    }

    /// The most parameters an architecture may have (2^28: 1 GiB of weights, about 4 GiB with
    /// gradients and Adam's moments).
    public static let largestParameterCount = 1 << 28

    private init(parsingShape text: String, imageDefaults: ResNetArchitecture?) throws(WorkflowError) {
        let keyword = text.prefix { $0 != ":" }
        if keyword == ResNetArchitecture.keyword || ResNetArchitecture.Preset(rawValue: String(keyword)) != nil {
            self = .resnet(try ResNetArchitecture(parsing: text, defaults: imageDefaults))
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let usage = "architecture \(WorkflowError.quoted(text)) is not of the form \(Self.mlpGrammar) or \(ResNetArchitecture.grammar)"
        guard parts.count == 3, parts[0] == "mlp" else { throw WorkflowError(usage) }
        let fields = parts[1].split(separator: "-", omittingEmptySubsequences: false)
        let sizes = fields.compactMap { Int($0) }.filter { $0 > 0 }
        guard sizes.count >= 2, sizes.count == fields.count else { throw WorkflowError(usage) }
        guard let activation = Activation(rawValue: parts[2]) else { throw WorkflowError(usage) }
        self.init(sizes: sizes, activation: activation)
    }

    static let mlpGrammar = "mlp:<in>-<hidden>-...-<out>:<\(Activation.allCases.map(\.rawValue).joined(separator: "|"))>"

    /// Whether the network takes images (`[N, C, H, W]`) rather than feature rows (`[N, F]`).
    public var takesImages: Bool {
        if case .resnet = self { return true }
        return false
    }

    /// Feature columns (MLP) or image channels (ResNet) of the input.
    public var inputWidth: Int {
        switch self {
        case .mlp(let sizes, _): sizes[0]
        case .resnet(let resnet): resnet.channels
        }
    }

    /// The outputs serving `task`: an MLP's last layer serves both; a ResNet has a head per task,
    /// and none yet (nil: a transfer adds one of any width) for the target of a single-task model.
    public func outputWidth(for task: TaskSide) -> Int? { outputWidth(forHead: task.head) }

    /// The outputs of head `head` (task `head` of a chain); an MLP's one output layer serves every task.
    public func outputWidth(forHead head: Int) -> Int? {
        switch self {
        case .mlp(let sizes, _): sizes[sizes.count - 1]
        case .resnet(let resnet): resnet.headOutputs.indices.contains(head) ? resnet.headOutputs[head] : nil
        }
    }

    public var description: String {
        switch self {
        case .mlp(let sizes, let activation): "mlp:\(sizes.map(String.init).joined(separator: "-")):\(activation.rawValue)"
        case .resnet(let resnet): resnet.description
        }
    }

    /// The number of parameters (weights and biases, not buffers) of the network, or nil when
    /// it exceeds `limit`: a file holding fewer values cannot hold the network, so it need not
    /// be built (an architecture string from a file can ask for any size).
    func parameterCount(atMost limit: Int) -> Int? {
        switch self {
        case .mlp(let sizes, _):
            var count = ParameterCount(limit: limit)
            for (inputs, outputs) in zip(sizes, sizes.dropFirst()) { count.add(inputs, 1, plus: 1, times: outputs) }
            return count.value
        case .resnet(let resnet): return resnet.parameterCount(atMost: limit)
        }
    }

    /// A freshly initialized network (PyTorch's default initialization); a multi-head network
    /// has its source head active.
    public func makeNetwork(rng: inout RandomGenerator) -> any Layer {
        switch self {
        case .mlp(let sizes, let activation): MLP(sizes: sizes, activation: activation, rng: &rng)
        case .resnet(let resnet): resnet.makeNetwork(rng: &rng)
        }
    }

    /// The name under which files store the network entry `name`: torchvision's names for the
    /// `resnet18`/`resnet34` presets (see `TorchvisionNames`), else the network's own.
    public func fileName(for name: String) -> String {
        if case .resnet(let resnet) = self, resnet.preset != nil { return TorchvisionNames.name(for: name) }
        return name
    }

    /// The prefix PyTorch `nn.Sequential` files leave out of tensor names (`0.weight` for
    /// `layers.0.weight`), for the kinds that such files can hold.
    var sequentialPrefix: String? {
        if case .mlp = self { return "layers." }
        return nil
    }
}

/// A parameter count that stops at a limit instead of overflowing.
struct ParameterCount {
    let limit: Int
    /// nil once the count exceeds `limit`.
    private(set) var value: Int? = 0

    init(limit: Int) { self.limit = limit }

    /// Adds `(a * b + plus) * times`.
    mutating func add(_ a: Int, _ b: Int, plus: Int = 0, times: Int = 1) {
        guard let current = value else { return }
        let (product, overflow1) = a.multipliedReportingOverflow(by: b)
        let (sum, overflow2) = product.addingReportingOverflow(plus)
        let (term, overflow3) = sum.multipliedReportingOverflow(by: times)
        let (total, overflow4) = current.addingReportingOverflow(term)
        value = overflow1 || overflow2 || overflow3 || overflow4 || total > limit ? nil : total
    }
}
