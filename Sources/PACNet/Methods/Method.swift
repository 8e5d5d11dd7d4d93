import PACEngine
import PACNN

/// A transfer method with exactly the settings it has; settings may be `auto`, chosen by
/// cross-validation on the target training data (`TransferPipeline.transfer`).
public enum Method: Sendable, Hashable {
    case scratch
    case finetune
    case l2sp(lambda: Tunable<PenaltyStrength>)
    case pacnet(ratio: Tunable<PruningRatio>, lambda: Tunable<PenaltyStrength>)
    /// PAC-Net whose target also has its own biases and normalization (`TargetFreedom.ownBiases`).
    case pacnetBias(ratio: Tunable<PruningRatio>, lambda: Tunable<PenaltyStrength>)
    case freeze
    /// PAC-Net's calibration without its penalty (`lambda` is 0 by definition).
    case packnet(ratio: Tunable<PruningRatio>)
    case delta(featureWeight: PenaltyStrength, headWeight: PenaltyStrength)
    /// `count` >= 1 smallest singular values are shrunk.
    case bss(weight: PenaltyStrength, count: Int)

    /// The method's name.
    public var name: TransferMethod {
        switch self {
        case .scratch: .scratch
        case .finetune: .finetune
        case .l2sp: .l2sp
        case .pacnet: .pacnet
        case .pacnetBias: .pacnetBias
        case .freeze: .freeze
        case .packnet: .packnet
        case .delta: .delta
        case .bss: .bss
        }
    }

    /// The method named `name` with `ratio` and `lambda` where it has them and `baselines` for
    /// DELTA and BSS.
    public init(_ name: TransferMethod, ratio: Tunable<PruningRatio>, lambda: Tunable<PenaltyStrength>,
                baselines: BaselineSettings = BaselineSettings()) {
        switch name {
        case .scratch: self = .scratch
        case .finetune: self = .finetune
        case .l2sp: self = .l2sp(lambda: lambda)
        case .pacnet: self = .pacnet(ratio: ratio, lambda: lambda)
        case .pacnetBias: self = .pacnetBias(ratio: ratio, lambda: lambda)
        case .freeze: self = .freeze
        case .packnet: self = .packnet(ratio: ratio)
        case .delta: self = .delta(featureWeight: baselines.deltaFeatureWeight, headWeight: baselines.deltaHeadWeight)
        case .bss: self = .bss(weight: baselines.bssWeight, count: baselines.bssCount)
        }
    }

    /// The pruning ratio, for the methods that have one.
    public var ratio: Tunable<PruningRatio>? {
        switch self {
        case .pacnet(let ratio, _), .pacnetBias(let ratio, _), .packnet(let ratio): ratio
        default: nil
        }
    }

    /// The penalty strength, for the methods that have one to choose (PackNet's is fixed at 0).
    public var lambda: Tunable<PenaltyStrength>? {
        switch self {
        case .pacnet(_, let lambda), .pacnetBias(_, let lambda), .l2sp(let lambda): lambda
        case .packnet: .fixed(0)
        default: nil
        }
    }

    /// PAC-Net whose calibration has `freedom` (`.pacnet` or `.pacnetBias`).
    public static func pacnet(ratio: Tunable<PruningRatio>, lambda: Tunable<PenaltyStrength>, freedom: TargetFreedom) -> Method {
        freedom == .ownBiases ? .pacnetBias(ratio: ratio, lambda: lambda) : .pacnet(ratio: ratio, lambda: lambda)
    }

    /// What PAC-Net's calibration may change for the target (PAC-Net's variants only).
    public var freedom: TargetFreedom? {
        switch self {
        case .pacnet, .packnet: .prunedWeights
        case .pacnetBias: .ownBiases
        default: nil
        }
    }

    /// Whether any setting is chosen by cross-validation.
    public var isAuto: Bool { ratio?.isAuto == true || lambda?.isAuto == true }

    /// The same method with these ratio and lambda settings where it has them.
    func with(ratio newRatio: Tunable<PruningRatio>?, lambda newLambda: Tunable<PenaltyStrength>?) -> Method {
        switch self {
        case .pacnet(let ratio, let lambda): .pacnet(ratio: newRatio ?? ratio, lambda: newLambda ?? lambda)
        case .pacnetBias(let ratio, let lambda): .pacnetBias(ratio: newRatio ?? ratio, lambda: newLambda ?? lambda)
        case .packnet(let ratio): .packnet(ratio: newRatio ?? ratio)
        case .l2sp(let lambda): .l2sp(lambda: newLambda ?? lambda)
        default: self
        }
    }

    /// Every fixed method a cross-validation compares, in grid order (ratios outer, lambdas
    /// inner); a fixed method is its own only candidate.
    func candidates(ratios: [PruningRatio], lambdas: [PenaltyStrength]) -> [Method] {
        let ratioGrid: [Tunable<PruningRatio>?] = ratio == .auto ? ratios.map { .fixed($0) } : [nil]
        let lambdaGrid: [Tunable<PenaltyStrength>?] = lambda == .auto ? lambdas.map { .fixed($0) } : [nil]
        return ratioGrid.flatMap { r in lambdaGrid.map { l in with(ratio: r, lambda: l) } }
    }
}
