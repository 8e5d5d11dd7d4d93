import PACEngine

/// Binary cross-entropy on logits, averaged over every element (PyTorch's
/// `BCEWithLogitsLoss`): `softplus(x) - x * y`, which equals
/// `-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))` without overflow for large |x|.
public func binaryCrossEntropyWithLogits(_ logits: Variable, _ targets: Tensor) -> Variable {
    precondition(logits.shape == targets.shape, "BCE: logits \(logits.shape) vs targets \(targets.shape)")
    return (logits.softplus() - logits * targets).mean()
}
