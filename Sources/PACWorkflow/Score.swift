import PACEngine
import PACNN

/// A model's score on labelled data: RMSE in the targets' units for regression, accuracy for
/// classification (mean over labels for multi-label `bce`).
public struct Score: Sendable, Equatable, CustomStringConvertible {
    /// `rmse` or `accuracy`.
    public let metric: String
    public let value: Double
    public let samples: Int

    public var description: String { "\(metric) \(String(format: "%.6g", value)) on \(samples) samples" }

    /// Whether this score is worse than `other` (a higher RMSE, a lower accuracy).
    public func isWorse(than other: Score) -> Bool {
        metric == "rmse" ? value > other.value : value < other.value
    }

    /// The score of the best constant prediction on `data`: each target column's mean
    /// (regression), the most frequent class (`ce`), or each label's more frequent value (`bce`).
    /// A trained model that does worse on its own training rows has learned nothing useful.
    public static func constantBaseline(on data: LabeledData, loss: Loss) -> Score {
        let rows = data.count, width = data.targets.shape[1], values = data.targets.scalars
        func column(_ c: Int) -> [Double] { (0..<rows).map { Double(values[$0 * width + c]) } }
        switch loss {
        case .mse:
            var squared = 0.0
            for c in 0..<width {
                let y = column(c), mean = y.reduce(0, +) / Double(rows)
                squared += y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            }
            return Score(metric: "rmse", value: (squared / Double(rows * width)).squareRoot(), samples: rows)
        case .crossEntropy:
            let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
            return Score(metric: "accuracy", value: Double(counts.values.max() ?? 0) / Double(max(rows, 1)), samples: rows)
        case .bce:
            let majority = (0..<width).reduce(0.0) { total, c in
                let ones = column(c).reduce(0, +)
                return total + max(ones, Double(rows) - ones)
            }
            return Score(metric: "accuracy", value: majority / Double(max(rows * width, 1)), samples: rows)
        }
    }

    /// Scores `network` on `data` (raw units; `standardization` is applied inside).
    public static func of(_ network: any Layer, on data: LabeledData, loss: Loss, standardization: Standardization?) -> Score {
        let output = Prediction.outputs(network, inputs: data.inputs, standardization: standardization)
        switch loss {
        case .mse:
            return Score(metric: "rmse", value: rootMeanSquaredError(output, data.targets), samples: data.count)
        case .crossEntropy:
            let predicted = Prediction.classes(fromLogits: output)
            let labels = data.targets.scalars
            let correct = zip(predicted, labels).filter { Float($0.0) == $0.1 }.count
            return Score(metric: "accuracy", value: Double(correct) / Double(max(data.count, 1)), samples: data.count)
        case .bce:
            let logits = output.scalars, labels = data.targets.scalars
            let correct = zip(logits, labels).filter { ($0.0 > 0 ? 1 : 0) == $0.1 }.count
            return Score(metric: "accuracy", value: Double(correct) / Double(max(labels.count, 1)), samples: data.count)
        }
    }
}

/// Turning network outputs into predictions in the data's units.
public enum Prediction {
    /// Network outputs for raw `inputs`: standardized on the way in, regression outputs mapped
    /// back to target units on the way out.
    public static func outputs(_ network: any Layer, inputs: Tensor, standardization: Standardization?) -> Tensor {
        let x = standardization?.normalizeInputs(inputs) ?? inputs
        let y = network.predict(x, batchSize: batchSize(for: x))
        return standardization?.denormalizeTargets(y) ?? y
    }

    /// Rows per inference batch: 4096 feature rows, fewer images (about 4M input scalars per
    /// batch), so convolution activations stay a few hundred MB.
    static func batchSize(for inputs: Tensor) -> Int {
        let perRow = inputs.count / max(inputs.shape[0], 1)
        return max(1, min(4096, (1 << 22) / max(perRow, 1)))
    }

    /// The arg-max class of each row of logits.
    public static func classes(fromLogits logits: Tensor) -> [Int] {
        let width = logits.shape[1]
        return logits.withUnsafePointer { p in
            (0..<logits.shape[0]).map { row in
                var best = 0
                for j in 1..<max(width, 1) where p[row * width + j] > p[row * width + best] { best = j }
                return best
            }
        }
    }
}
