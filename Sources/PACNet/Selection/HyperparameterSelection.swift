import Foundation
import PACEngine
import PACNN

/// Chooses a method's `auto` settings (PAC-Net's pruning ratio and penalty strength, PackNet's
/// ratio, L2-SP's lambda, and any method's target learning rate) from the target training data
/// alone, by k-fold cross-validation.
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
/// training loss as computed (on standardized targets when the data are standardized). Ratio
/// candidates need an allocated network each (`TransferPipeline.allocate`).
public struct HyperparameterSelection: Sendable, Equatable {
    /// Candidate penalty strengths.
    public var lambdas: [PenaltyStrength] = [0, 1e-4, 1e-3, 1e-2, 1e-1]
    /// Candidate pruning ratios.
    public var ratios: [PruningRatio] = [0.5, 0.7, 0.8, 0.9]
    /// Candidate target learning rates (Adam's step size), around PyTorch's default 1e-3.
    public var learningRates: [LearningRate] = [3e-4, 1e-3, 3e-3]
    /// The largest number of folds (`k = min(maxFolds, n)`).
    public var maxFolds = 5
    /// Threads the fold trainings run on (results do not depend on it; default: every core).
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Successive halving's first cut, or nil to train every candidate fully.
    public var screening: Screening? = nil

    /// One round of successive halving (Jamieson & Talwalkar, 2016; Li et al.'s Hyperband): when
    /// the grid has more than `keep` candidates, every candidate first trains on every fold for
    /// `fraction` of the target schedule's epochs, and only the `keep` with the lowest held-out
    /// loss then train the whole schedule and compete as without screening.
    ///
    /// A short training is the exact prefix of the full one (constant learning rate, the same
    /// shuffling stream), and survivors train exactly as without screening, so the choice is the
    /// full grid's whenever the full grid's winner survives the cut.
    public struct Screening: Sendable, Equatable {
        /// The part of the epochs every candidate trains, in (0, 1).
        public var fraction: Double
        /// Candidates that train fully.
        public var keep: Int

        public init(fraction: Double, keep: Int) {
            self.fraction = fraction
            self.keep = keep
        }
    }

    public init() {}

    /// What selection chose and what it measured.
    public struct Choice: Sendable, Equatable {
        /// The chosen method, every setting fixed.
        public let method: Method
        /// Every candidate's mean held-out loss, in grid order.
        public let candidates: [Candidate]
        /// Wall-clock time of the cross-validation.
        public let seconds: Double

        /// The chosen target learning rate (`nil`: the schedule's, not selected).
        public let learningRate: LearningRate?

        /// The chosen ratio (`nil` when the method has none).
        public var ratio: PruningRatio? { method.ratio?.fixedValue }
        /// The chosen penalty strength (`nil` when the method has none).
        public var lambda: PenaltyStrength? { method.lambda?.fixedValue }
    }

    /// One candidate setting and its mean held-out loss.
    public struct Candidate: Sendable, Equatable {
        public let method: Method
        /// The candidate's target learning rate (`nil`: the schedule's).
        public let learningRate: LearningRate?
        /// After the full schedule; nil for a candidate cut at screening.
        public let validationLoss: Double?
        /// After screening's short schedule; nil without screening.
        public let screeningLoss: Double?

        /// The candidate's ratio (`nil` when the method has none).
        public var ratio: PruningRatio? { method.ratio?.fixedValue }
        /// The candidate's penalty strength (`nil` when the method has none).
        public var lambda: PenaltyStrength? { method.lambda?.fixedValue }
    }

    /// The grids in words, for help text: `{0.5, 0.7, 0.8, 0.9}`.
    public var ratioGridDescription: String { "{" + ratios.map(\.description).joined(separator: ", ") + "}" }
    /// `{0.0, 0.0001, 0.001, 0.01, 0.1}`.
    public var lambdaGridDescription: String { "{" + lambdas.map(\.description).joined(separator: ", ") + "}" }
    /// `{0.0003, 0.001, 0.003}`.
    public var learningRateGridDescription: String { "{" + learningRates.map(\.description).joined(separator: ", ") + "}" }

    /// Checks the grids and the fold count.
    public func validate() throws(SettingError) {
        if maxFolds < 2 { throw SettingError("cross-validation folds", must: "at least 2", got: maxFolds) }
        if ratios.isEmpty || lambdas.isEmpty || learningRates.isEmpty { throw SettingError("selection grid", must: "non-empty", got: "an empty grid") }
        if let screening {
            if !(screening.fraction > 0 && screening.fraction < 1) {
                throw SettingError("screening fraction", must: "in (0, 1)", got: screening.fraction)
            }
            if screening.keep < 1 { throw SettingError("candidates kept after screening", must: "at least 1", got: screening.keep) }
        }
    }

    /// The folds of `n` samples: `k` disjoint index lists covering `0..<n`, from a permutation
    /// drawn from `rng`.
    public func folds(count n: Int, rng: inout RandomGenerator) -> [[Int]] {
        precondition(n >= 2, "cross-validation needs at least 2 target samples, got \(n)")
        let k = min(maxFolds, n)
        let order = rng.permutation(n)
        return (0..<k).map { fold in stride(from: fold, to: n, by: k).map { order[$0] } }
    }

    /// Cross-validates `method`'s candidates (`auto` settings over the grids, and the learning
    /// rates when `learningRate` is `auto`; `nil` keeps the schedule's) on `target`.
    /// Streams: `<stream>/folds` splits, `<stream>/fold-<i>` shuffles fold `i`.
    public func select<Network: Layer>(
        _ method: Method, learningRate: Tunable<LearningRate>? = nil, in pipeline: TransferPipeline<Network>, target: Dataset,
        seed: UInt64, stream: String
    ) throws(TrainingError) -> Choice {
        let stopwatch = Stopwatch()
        var foldRNG = RandomGenerator(seed: seed, stream: "\(stream)/folds")
        // The (training, held-out) split of every fold, built once for all candidates.
        let splits = folds(count: target.count, rng: &foldRNG).map { held in
            let heldSet = Set(held)
            return (train: target.rows((0..<target.count).filter { !heldSet.contains($0) }), validation: target.rows(held))
        }
        // Settings outer, learning rates inner.
        let rates: [LearningRate?] = switch learningRate {
        case .auto: learningRates
        case .fixed(let rate): [rate]
        case nil: [nil]
        }
        let grid = method.candidates(ratios: ratios, lambdas: lambdas).flatMap { candidate in rates.map { (candidate, $0) } }
        // Every (candidate, fold) training is independent (its own copy, its own stream), so they
        // run on all cores; each returns its held-out fold's summed loss, or nil if it diverged.
        let folds = splits.count
        func crossValidate(_ numbers: [Int], epochFraction: Double?, stageName: String) -> [Double] {
            let stage = { (job: Int) -> TrainingProgress.Stage in
                let (position, index) = job.quotientAndRemainder(dividingBy: folds)
                return TrainingProgress.Stage(stageName, part: job, of: numbers.count * folds,
                                              detail: "candidate \(numbers[position] + 1)/\(grid.count) fold \(index + 1)/\(folds)")
            }
            // Under an MPI job whose ranks run this selection together, the jobs are dealt over them.
            let sums: [Double?] = SharedJobs.map(numbers.count * folds, workers: workers, stage: stage) { job in
                let (position, index) = job.quotientAndRemainder(dividingBy: folds)
                let (train, validation) = splits[index]
                var rng = RandomGenerator(seed: seed, stream: "\(stream)/fold-\(index)")
                var schedule = pipeline.schedules.target(rows: train.count)
                let (candidate, rate) = grid[numbers[position]]
                if let rate { schedule.learningRate = rate.value }
                if let epochFraction { schedule.epochs = max(1, Int((Double(schedule.epochs) * epochFraction).rounded(.up))) }
                let model: Network
                do {
                    model = try candidate.train(from: pipeline, on: train, schedule: schedule, rng: &rng).targetModel
                } catch {
                    // A candidate whose training diverges loses; the others are still compared.
                    return nil
                }
                let loss = GradientMode.withoutGradients {
                    pipeline.loss(Variable(model.predict(validation.inputs, batchSize: 512)), validation.targets).value.scalar
                }
                return Double(loss) * Double(validation.count)
            }
            return numbers.indices.map { position in
                // Summed in fold order, whatever order the jobs finished in.
                var total = 0.0
                for index in 0..<folds {
                    guard let sum = sums[position * folds + index] else { total = .infinity; break }
                    total += sum
                }
                let mean = total / Double(target.count)
                // A diverged or non-finite candidate can never win.
                return mean.isFinite ? mean : .infinity
            }
        }
        var screeningLosses: [Double?] = Array(repeating: nil, count: grid.count)
        var finalists = Array(grid.indices)
        if let screening, grid.count > screening.keep {
            let losses = crossValidate(finalists, epochFraction: screening.fraction, stageName: "screen")
            for (number, loss) in zip(finalists, losses) { screeningLosses[number] = loss }
            // The lowest losses, ties to the earlier candidate; kept in grid order.
            finalists = grid.indices.sorted { (losses[$0], $0) < (losses[$1], $1) }.prefix(screening.keep).sorted()
        }
        var validationLosses: [Double?] = Array(repeating: nil, count: grid.count)
        for (number, loss) in zip(finalists, crossValidate(finalists, epochFraction: nil, stageName: "select")) {
            validationLosses[number] = loss
        }
        let candidates = grid.indices.map { number in
            Candidate(method: grid[number].0, learningRate: grid[number].1, validationLoss: validationLosses[number],
                      screeningLoss: screeningLosses[number])
        }
        let best = finalists.min { (validationLosses[$0]!, $0) < (validationLosses[$1]!, $1) }!
        return Choice(method: candidates[best].method, candidates: candidates, seconds: stopwatch.elapsed,
                      learningRate: candidates[best].learningRate)
    }
}
