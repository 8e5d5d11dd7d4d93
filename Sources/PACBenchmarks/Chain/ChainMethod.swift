import PACNet

/// How a chain benchmark learns its tasks.
public enum ChainMethod: String, Sendable, CaseIterable {
    /// One network per target, each fine-tuned from the source network (nothing is forgotten,
    /// at the price of a network per task).
    case finetuneEach = "finetune-each"
    /// One PAC-Net network per target, each calibrated from the same allocated network.
    case pacnetEach = "pacnet-each"
    /// One network fine-tuned on each target in turn: the usual forgetting baseline.
    case finetuneSequential = "finetune-sequential"
    /// One network for every task: PAC-Net's calibration continued in turn (`TaskChain`), each
    /// target reading the entries of every earlier task (nested masks, as PackNet).
    case pacnetChain = "pacnet-chain"
    /// The same chain, each target reading only the source's entries and its own
    /// (`ChainReading.sourceOnly`).
    case pacnetChainSource = "pacnet-chain-source"

    /// Whether the method keeps one network for every task.
    public var isOneNetwork: Bool { self == .finetuneSequential || self == .pacnetChain || self == .pacnetChainSource }

    /// Which entries a target of a PAC-Net chain reads.
    var reading: ChainReading? {
        switch self {
        case .pacnetChain: .earlierTasks
        case .pacnetChainSource: .sourceOnly
        default: nil
        }
    }
}
