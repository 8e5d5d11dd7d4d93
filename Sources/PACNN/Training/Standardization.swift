import PACEngine

/// Per-column affine normalization `(x - mean) / std` of inputs and (for regression) targets,
/// with statistics from the source training data. Stored in model files (and used by the
/// benchmark's `--standardize`) and applied to both tasks, so one set of weights sees the same
/// scales for source and target data and a penalty strength means the same across problems.
public struct Standardization: Sendable, Equatable, Codable {
    public var inputMean: [Float]
    public var inputStd: [Float]
    /// `nil` for classification (labels are not standardized).
    public var targetMean: [Float]?
    public var targetStd: [Float]?

    /// The smallest standard deviation `init(inputs:targets:)` computes: a column whose variance
    /// is at most 1e-24 is constant and gets std 1 instead. A smaller one (from a file) is not a
    /// statistic of any data, and dividing by it blows finite inputs up to infinity.
    public static let smallestStd: Float = 1e-12

    /// Given statistics (as read from a file); `normalizeInputs` needs as many input means and
    /// standard deviations as input columns, and the target functions as many target statistics
    /// as outputs.
    public init(inputMean: [Float], inputStd: [Float], targetMean: [Float]? = nil, targetStd: [Float]? = nil) {
        self.inputMean = inputMean
        self.inputStd = inputStd
        self.targetMean = targetMean
        self.targetStd = targetStd
    }

    /// Statistics of `inputs` (and `targets` when given). A constant column gets std 1, so it
    /// is centred but not blown up.
    public init(inputs: Tensor, targets: Tensor?) {
        (inputMean, inputStd) = Standardization.statistics(inputs)
        if let targets {
            let (mean, std) = Standardization.statistics(targets)
            (targetMean, targetStd) = (mean, std)
        }
    }

    private static func statistics(_ x: Tensor) -> ([Float], [Float]) {
        let rows = x.shape[0], columns = x.count / max(rows, 1)
        var mean = [Double](repeating: 0, count: columns), square = mean
        x.withUnsafePointer { p in
            for r in 0..<rows {
                for c in 0..<columns {
                    let v = Double(p[r * columns + c])
                    mean[c] += v
                    square[c] += v * v
                }
            }
        }
        let n = Double(max(rows, 1))
        let means = mean.map { $0 / n }
        let stds = zip(square, means).map { sq, m -> Float in
            let variance = max(0, sq / n - m * m)
            return variance > 1e-24 ? Float(variance.squareRoot()) : 1  // so std >= smallestStd
        }
        return (means.map(Float.init), stds)
    }

    /// Standardized inputs.
    public func normalizeInputs(_ x: Tensor) -> Tensor { Standardization.apply(x, inputMean, inputStd, inverse: false) }

    /// Standardized targets (unchanged for classification).
    public func normalizeTargets(_ y: Tensor) -> Tensor {
        guard let targetMean, let targetStd else { return y }
        return Standardization.apply(y, targetMean, targetStd, inverse: false)
    }

    /// Predictions mapped back to the targets' original units.
    public func denormalizeTargets(_ y: Tensor) -> Tensor {
        guard let targetMean, let targetStd else { return y }
        return Standardization.apply(y, targetMean, targetStd, inverse: true)
    }

    private static func apply(_ x: Tensor, _ mean: [Float], _ std: [Float], inverse: Bool) -> Tensor {
        let mu = Tensor(shape: [mean.count], scalars: mean), sigma = Tensor(shape: [std.count], scalars: std)
        return inverse ? x * sigma + mu : (x - mu) / sigma
    }

    /// The dataset with standardized inputs and targets.
    public func apply(to data: Dataset) -> Dataset {
        Dataset(inputs: normalizeInputs(data.inputs), targets: normalizeTargets(data.targets))
    }
}
