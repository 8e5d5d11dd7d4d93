/// The settings of the DELTA and BSS baselines; the defaults are their papers'.
public struct BaselineSettings: Sendable, Equatable {
    /// DELTA's feature-map weight (alpha; the paper's 0.01).
    public var deltaFeatureWeight: PenaltyStrength = 0.01
    /// DELTA's L2-SP weight on the head (beta; the paper's 0.01).
    public var deltaHeadWeight: PenaltyStrength = 0.01
    /// BSS's weight (eta; the paper's 0.001).
    public var bssWeight: PenaltyStrength = 0.001
    /// How many of the smallest singular values BSS shrinks (k; the paper's 1).
    public var bssCount = 1

    public init() {}
}
