import PACEngine

/// The training objectives, each averaged over the batch like PyTorch's `reduction="mean"`.
public enum Loss: String, CaseIterable, Sendable {
    /// Mean squared error; targets have the prediction's shape.
    case mse
    /// Binary cross-entropy on logits; targets are 0/1 with the logits' shape.
    case bce
    /// Softmax cross-entropy; targets are `[N, 1]` integer class indices stored as floats.
    case crossEntropy = "ce"

    /// The loss of `prediction` against `target`.
    public func callAsFunction(_ prediction: Variable, _ target: Tensor) -> Variable {
        switch self {
        case .mse: meanSquaredError(prediction, target)
        case .bce: binaryCrossEntropyWithLogits(prediction, target)
        case .crossEntropy: softmaxCrossEntropy(prediction, labels: target.scalars.map { Int($0) })
        }
    }
}
