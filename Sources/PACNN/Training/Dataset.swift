import PACEngine

/// Inputs and targets with matching first dimension (one row per sample).
public struct Dataset: Sendable {
    /// `[N, features...]`.
    public let inputs: Tensor
    /// `[N, outputs...]`.
    public let targets: Tensor

    public init(inputs: Tensor, targets: Tensor) {
        precondition(inputs.rank >= 1 && targets.rank >= 1 && inputs.shape[0] == targets.shape[0],
                     "dataset: \(inputs.shape) inputs vs \(targets.shape) targets")
        self.inputs = inputs
        self.targets = targets
    }

    /// The number of samples.
    public var count: Int { inputs.shape[0] }

    /// The first `n` samples.
    public func prefix(_ n: Int) -> Dataset {
        precondition(n >= 0 && n <= count, "prefix \(n) of \(count) samples")
        return Dataset(inputs: inputs.slice(axis: 0, 0..<n), targets: targets.slice(axis: 0, 0..<n))
    }

    /// The samples at `indices`.
    public func rows(_ indices: [Int]) -> Dataset {
        Dataset(inputs: inputs.gatherRows(indices), targets: targets.gatherRows(indices))
    }
}
