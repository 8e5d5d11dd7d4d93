import PACNN

/// A transferred model and, where the method keeps one, its model of the source task.
public struct TransferResult<Network: Layer> {
    public let targetModel: Network
    /// `nil` for `.scratch`; the masked network for PAC-Net and PackNet; the target model itself
    /// otherwise (a multi-task network's copy answering through the source head).
    public let sourceModel: Network?
    /// The source's own biases and statistics when the target has its own (`pacnetBias`).
    public let sourceCopies: SourceCopies

    public init(targetModel: Network, sourceModel: Network?, sourceCopies: SourceCopies = .none) {
        self.targetModel = targetModel
        self.sourceModel = sourceModel
        self.sourceCopies = sourceCopies
    }
}
