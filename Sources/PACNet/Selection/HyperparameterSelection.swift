import PACEngine
import PACNN

/// Chooses PAC-Net's pruning ratio and penalty strength (or L2-SP's lambda) from the target
/// training data alone, by k-fold cross-validation (`--ratio auto`, `--lambda auto`).
///
/// The `n` target samples are split into `k = min(maxFolds, n)` folds (a seeded permutation,
/// fold sizes differing by at most one). Every candidate trains on `k - 1` folds with the target
/// schedule for that many samples and is scored by the mean training loss (MSE, BCE or CE) on
/// the held-out fold; each fold's shuffling stream is the same for every candidate, so
/// candidates differ only in their setting. The candidate with the lowest loss averaged over all
/// `n` held-out samples wins (ties go to the earlier candidate in grid order); the caller then
/// retrains on all `n` samples with it. Nothing but the target training set is read: test data
/// never reaches this type.
///
/// The grids are absolute penalty strengths and pruning ratios, the strengths applying to the
/// training loss as computed (on standardized targets when the benchmark's `--standardize` is
/// on). Ratio candidates need an allocated network each; callers allocate each ratio once per
/// source model and reuse it for every sample size and method.
public struct HyperparameterSelection: Sendable, Equatable {
    /// Candidate penalty strengths.
    public var lambdas: [Float] = [0, 1e-4, 1e-3, 1e-2, 1e-1]
    /// Candidate pruning ratios.
    public var ratios: [Double] = [0.5, 0.7, 0.8, 0.9]
    /// The largest number of folds (`k = min(maxFolds, n)`).
    public var maxFolds = 5

    public init() {}

    /// What selection chose and what it measured.
    public struct Choice: Sendable, Equatable {
        /// The chosen ratio (`nil` when the method has none).
        public let ratio: Double?
        /// The chosen penalty strength (`nil` when the method has none).
        public let lambda: Float?
        /// Every candidate's mean held-out loss, in grid order.
        public let candidates: [Candidate]
        /// Wall-clock time of the cross-validation.
        public let seconds: Double
    }

    /// One candidate setting and its mean held-out loss.
    public struct Candidate: Sendable, Equatable {
        public let ratio: Double?
        public let lambda: Float?
        public let validationLoss: Double
    }

    /// The folds of `n` samples: `k` disjoint index lists covering `0..<n`, from a permutation
    /// drawn from `rng`.
    public func folds(count n: Int, rng: inout RandomGenerator) -> [[Int]] {
        precondition(n >= 2, "cross-validation needs at least 2 target samples, got \(n)")
        let k = min(maxFolds, n)
        let order = rng.permutation(n)
        return (0..<k).map { fold in stride(from: fold, to: n, by: k).map { order[$0] } }
    }

    /// Cross-validates `method` over the candidates. `ratio`/`lambda` are `nil` to select them
    /// and fixed values otherwise. `allocated` gives the allocated network of a ratio (PAC-Net
    /// and PackNet only); `schedule` the target schedule for a training-set size.
    public func select<Network: Layer>(
        _ method: TransferMethod, ratio: Double?, lambda: Float?, base: TransferSetup<Network>,
        allocated: (Double) -> PACNetModel<Network>?, schedule: (Int) -> TrainingSchedule,
        target: Dataset, seed: UInt64, stream: String
    ) throws(TrainingError) -> Choice {
        let stopwatch = Stopwatch()
        let ratioGrid: [Double?] = method.usesRatio ? (ratio.map { [$0] } ?? ratios) : [nil]
        let lambdaGrid: [Float?] = method.usesLambda ? (lambda.map { [$0] } ?? lambdas) : [nil]
        var foldRNG = RandomGenerator(seed: seed, stream: "\(stream)/folds")
        // The (training, held-out) split of every fold, built once for all candidates.
        let splits = folds(count: target.count, rng: &foldRNG).map { held in
            let heldSet = Set(held)
            return (train: target.rows((0..<target.count).filter { !heldSet.contains($0) }), validation: target.rows(held))
        }
        var candidates: [Candidate] = []
        for r in ratioGrid {
            for l in lambdaGrid {
                var total = 0.0
                for (index, (train, validation)) in splits.enumerated() {
                    let setup = base.with(allocated: r.flatMap(allocated) ?? base.allocated, schedule: schedule(train.count),
                                          lambda: l ?? base.lambda)
                    var rng = RandomGenerator(seed: seed, stream: "\(stream)/fold-\(index)")
                    let model = try method.run(setup, target: train, rng: &rng).targetModel
                    let loss = GradientMode.withoutGradients {
                        base.loss(Variable(model.predict(validation.inputs, batchSize: 512)), validation.targets).value.scalar
                    }
                    total += Double(loss) * Double(validation.count)
                }
                let mean = total / Double(target.count)
                // A diverged or non-finite candidate can never win.
                candidates.append(Candidate(ratio: r, lambda: l, validationLoss: mean.isFinite ? mean : .infinity))
            }
        }
        let best = candidates.indices.min { candidates[$0].validationLoss < candidates[$1].validationLoss }!
        return Choice(ratio: candidates[best].ratio, lambda: candidates[best].lambda, candidates: candidates, seconds: stopwatch.elapsed)
    }
}

extension TransferMethod {
    /// Whether the method has a pruning ratio to choose (PAC-Net, PackNet).
    public var usesRatio: Bool { self == .pacnet || self == .packnet }
    /// Whether the method has a penalty strength to choose (PAC-Net, L2-SP).
    public var usesLambda: Bool { self == .pacnet || self == .l2sp }
}

extension TransferSetup {
    /// The same setup with another allocated network, schedule and penalty strength.
    public func with(allocated: PACNetModel<Network>?, schedule: TrainingSchedule, lambda: Float) -> TransferSetup {
        TransferSetup(source: source, allocated: allocated, makeFresh: makeFresh, loss: loss, schedule: schedule,
                      lambda: lambda, baselines: baselines)
    }
}
