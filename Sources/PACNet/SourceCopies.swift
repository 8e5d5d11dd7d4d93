import PACEngine
import PACNN

/// The source task's own values of the entries a calibration with `TargetFreedom.ownBiases`
/// lets the target retrain in full: every bias, every normalization scale and shift and every
/// running statistic of the shared network (task heads excluded, each task has its own). The
/// practice of PackNet and Piggyback (per-task batch normalization) and BitFit (biases alone
/// adapt a network).
///
/// The network then holds the target's values under the usual names, and these copies hold the
/// source's; the source model is the masked network with the copies loaded back (model files
/// store them as `<name>_source`).
public struct SourceCopies: Sendable {
    /// Entries by dotted name (parameters and buffers), in the network's state order.
    public let values: [(name: String, value: Tensor)]

    public init(_ values: [(name: String, value: Tensor)]) { self.values = values }

    /// No copies: both tasks share every bias and statistic (PAC-Net as published).
    public static let none = SourceCopies([])

    public var isEmpty: Bool { values.isEmpty }

    /// The copy of an entry, if it has one.
    public subscript(name: String) -> Tensor? { values.first { $0.name == name }?.value }

    /// The parameters the target gets its own copy of in `network`: biases and normalization
    /// parameters outside the task heads.
    public static func parameters(in network: some Layer) -> [(name: String, parameter: Parameter)] {
        let heads = Set(TaskHeads.allParameters(in: network).map(ObjectIdentifier.init))
        return network.namedParameters().filter { named in
            named.parameter.role != .weight && !heads.contains(ObjectIdentifier(named.parameter))
        }
    }

    /// The current values of every entry the target gets its own copy of in `network`: the
    /// parameters of `parameters(in:)` and every buffer.
    public static func capture(from network: some Layer) -> SourceCopies {
        let names = Set(parameters(in: network).map(\.name)).union(network.namedBuffers().map(\.name))
        return SourceCopies(network.stateDict().filter { names.contains($0.name) })
    }

    /// Writes the copies into `network` (a copy of the one they were captured from).
    public func load(into network: some Module) {
        for (name, value) in values {
            if let parameter = network.parameter(named: name) {
                parameter.value = value
            } else if let buffer = network.buffer(named: name) {
                buffer.value = value
            } else {
                preconditionFailure("network has no entry '\(name)' for its source copy")
            }
        }
    }
}
