import PACEngine

/// Softmax cross-entropy of `[N, C]` logits against class indices, averaged over the batch
/// (PyTorch's `CrossEntropyLoss`).
public func softmaxCrossEntropy(_ logits: Variable, labels: [Int]) -> Variable {
    precondition(logits.value.rank == 2 && logits.shape[0] == labels.count, "CE: logits \(logits.shape) for \(labels.count) labels")
    let classes = logits.shape[1]
    var oneHot = Tensor(zeros: logits.shape)
    for (row, label) in labels.enumerated() {
        precondition(label >= 0 && label < classes, "CE: label \(label) outside 0..<\(classes)")
        oneHot[row, label] = 1
    }
    return -(logits.logSoftmax() * oneHot).sum() / Float(labels.count)
}
