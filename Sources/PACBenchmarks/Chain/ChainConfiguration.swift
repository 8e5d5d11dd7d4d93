import PACNet

/// The settings of a chain benchmark (`ChainExperiment`).
public struct ChainConfiguration: Sendable, Equatable {
    public var seeds: [UInt64] = Array(0..<5)
    /// Targets learned after the source.
    public var targets = 3
    /// Training samples of each target.
    public var targetCount = 100
    public var methods = ChainMethod.allCases
    /// The source's pruning ratio and the calibration penalty (the paper's defaults).
    public var ratio = PruningRatio.paperDefault
    public var lambda = PenaltyStrength.paperDefault
    /// The fraction of its entries each target but the last keeps; the rest go to the next.
    public var keep = 0.5
    /// What each PAC-Net target trains besides its entries (`pacnet-each` and `pacnet-chain`).
    public var freedom = TargetFreedom.prunedWeights
    public var schedules = StageSchedules.tabular
    /// Seeds run at once.
    public var parallelSeeds = 1

    public init() {}

    /// Throws for settings no chain can run with.
    public func validate() throws(SettingError) {
        try schedules.validate()
        if seeds.isEmpty { throw SettingError("seeds", must: "at least one seed", got: "none") }
        if targets < 1 { throw SettingError("number of targets", must: "at least 1", got: targets) }
        if targetCount < 1 { throw SettingError("target samples", must: "at least 1", got: targetCount) }
        if methods.isEmpty { throw SettingError("methods", must: "at least one method", got: "none") }
        if !(keep > 0 && keep < 1) { throw SettingError("keep fraction", must: "between 0 and 1 (exclusive)", got: keep) }
        if parallelSeeds < 1 { throw SettingError("parallel seeds", must: "at least 1", got: parallelSeeds) }
    }
}
