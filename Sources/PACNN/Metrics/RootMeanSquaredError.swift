import PACEngine

/// `sqrt(mean((prediction - target)^2))` over every element, accumulated in `Double`.
public func rootMeanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Double {
    precondition(prediction.shape == target.shape, "RMSE: prediction \(prediction.shape) vs target \(target.shape)")
    var total = 0.0
    prediction.withUnsafePointer { p in
        target.withUnsafePointer { t in
            for i in 0..<prediction.count {
                let d = Double(p[i]) - Double(t[i])
                total += d * d
            }
        }
    }
    return (total / Double(max(prediction.count, 1))).squareRoot()
}
