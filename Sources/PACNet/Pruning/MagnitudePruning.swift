import PACEngine
import PACNN

/// How magnitude pruning ranks entries.
public enum PruningScope: String, Sendable, CaseIterable {
    /// One ranking across all pruned parameters (PAC-Net's default).
    case global
    /// A separate ranking, and the same ratio, within each parameter.
    case perLayer = "per-layer"
}

/// Magnitude pruning: keep the largest-magnitude entries, prune the rest.
///
/// Weights (and optionally biases) take part; normalization parameters never do, and neither do
/// the task heads of a multi-task network (`TaskHeads`): only the shared body is pruned.
///
/// Of the `T` entries considered, `round(ratio * T)` are pruned (as in `torch.nn.utils.prune`)
/// and the rest kept. Entries are ranked by |w| descending; equal magnitudes are broken by
/// position (parameter order, then row-major index), earlier first, so masks are deterministic.
public struct MagnitudePruning: Sendable {
    /// Fraction of entries pruned.
    public let ratio: PruningRatio
    public let scope: PruningScope
    /// Whether biases are pruned too (weights always are; normalization parameters never).
    public let includeBiases: Bool

    public init(ratio: PruningRatio, scope: PruningScope = .global, includeBiases: Bool = false) {
        self.ratio = ratio
        self.scope = scope
        self.includeBiases = includeBiases
    }

    /// Whether a parameter takes part in pruning.
    public func prunes(_ parameter: Parameter) -> Bool {
        parameter.role == .weight || (includeBiases && parameter.role == .bias)
    }

    /// The parameters pruning ranks: weights (and biases, if asked) outside the task heads.
    private func selected(in model: some Layer) -> [(name: String, parameter: Parameter)] {
        let heads = Set(TaskHeads.allParameters(in: model).map(ObjectIdentifier.init))
        return model.namedParameters().filter { prunes($0.parameter) && !heads.contains(ObjectIdentifier($0.parameter)) }
    }

    /// Checks that this pruning leaves both tasks something in `model`'s architecture: at least
    /// one entry kept for the source and one freed for the target.
    public func check(for model: some Layer) throws(SettingError) {
        let sizes = selected(in: model).map(\.parameter.value.count)
        let total = sizes.reduce(0, +)
        let pruned = scope == .global ? prunedCount(of: total) : sizes.reduce(0) { $0 + prunedCount(of: $1) }
        if pruned == total {
            throw SettingError("pruning ratio", must: "small enough to keep at least one of the \(total) prunable weights for the source task", got: ratio)
        }
        if pruned == 0 {
            throw SettingError("pruning ratio", must: "large enough to free at least one of the \(total) prunable weights for the target task", got: ratio)
        }
    }

    /// Entries pruned among `count`: `round(ratio * count)`.
    private func prunedCount(of count: Int) -> Int { Int((ratio.value * Double(count)).rounded()) }

    /// The masks for `model`'s current values (the model is not changed).
    public func masks(for model: some Layer) -> WeightMasks {
        let selected = selected(in: model)
        switch scope {
        case .global:
            return WeightMasks(rank(selected.map { ($0.name, $0.parameter.value) }))
        case .perLayer:
            return WeightMasks(selected.flatMap { rank([($0.name, $0.parameter.value)]) })
        }
    }

    /// Masks keeping the top `T - round(ratio * T)` entries of the given tensors jointly.
    private func rank(_ tensors: [(name: String, value: Tensor)]) -> [(name: String, mask: Tensor)] {
        let magnitudes = tensors.flatMap { $0.value.scalars.map { abs($0) } }
        let total = magnitudes.count
        var flat = [Float](repeating: 0, count: total)
        for position in Self.largest(magnitudes, count: total - prunedCount(of: total)) { flat[position] = 1 }
        var offset = 0
        return tensors.map { name, value in
            defer { offset += value.count }
            return (name, Tensor(shape: value.shape, scalars: Array(flat[offset..<(offset + value.count)])))
        }
    }

    /// The positions of the `count` largest of `magnitudes`, equal values ranked by position
    /// (earlier first): the ranking rule of every magnitude-based choice (pruning, a chain's release).
    static func largest(_ magnitudes: [Float], count: Int) -> ArraySlice<Int> {
        magnitudes.indices.sorted { a, b in magnitudes[a] != magnitudes[b] ? magnitudes[a] > magnitudes[b] : a < b }.prefix(count)
    }
}
