import PACEngine
import PACNN

/// A self-describing network architecture string, stored in model files so they can be
/// rebuilt without code: `mlp:<in>-<hidden>-...-<out>:<activation>`, e.g. `mlp:10-100-100-100-1:relu`.
public struct Architecture: Sendable, Equatable, CustomStringConvertible {
    /// Layer widths, input first.
    public let sizes: [Int]
    public let activation: Activation

    public init(sizes: [Int], activation: Activation) {
        self.sizes = sizes
        self.activation = activation
    }

    /// Parses `mlp:10-100-1:relu`.
    public init(parsing text: String) throws(WorkflowError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let usage = "architecture '\(text)' is not of the form mlp:<in>-<hidden>-...-<out>:<\(Activation.allCases.map(\.rawValue).joined(separator: "|"))>"
        guard parts.count == 3, parts[0] == "mlp" else { throw WorkflowError(usage) }
        let sizes = parts[1].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard sizes.count >= 2, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else { throw WorkflowError(usage) }
        guard let activation = Activation(rawValue: parts[2]) else { throw WorkflowError(usage) }
        self.init(sizes: sizes.map { $0! }, activation: activation)
    }

    public var inputWidth: Int { sizes.first! }
    public var outputWidth: Int { sizes.last! }

    public var description: String { "mlp:\(sizes.map(String.init).joined(separator: "-")):\(activation.rawValue)" }

    /// A freshly initialized network (PyTorch's default initialization).
    public func makeNetwork(rng: inout RandomGenerator) -> MLP {
        MLP(sizes: sizes, activation: activation, rng: &rng)
    }
}
