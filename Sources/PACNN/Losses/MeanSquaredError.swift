import PACEngine

/// `mean((prediction - target)^2)` over every element (PyTorch's `MSELoss`).
public func meanSquaredError(_ prediction: Variable, _ target: Tensor) -> Variable {
    precondition(prediction.shape == target.shape, "MSE: prediction \(prediction.shape) vs target \(target.shape)")
    return (prediction - target).squared().mean()
}
