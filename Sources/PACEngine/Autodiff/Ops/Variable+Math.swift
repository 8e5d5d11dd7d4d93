import Foundation

/// Elementwise nonlinearities.
extension Variable {
    /// `max(x, 0)`; the gradient at exactly 0 is taken as 0 (PyTorch's convention).
    public func relu() -> Variable { Activation.relu.apply(self) }

    public func tanh() -> Variable { Activation.tanh.apply(self) }

    public func sigmoid() -> Variable { Activation.sigmoid.apply(self) }

    public func exp() -> Variable {
        let y = value.exp()
        return Variable.record(y, inputs: [self]) { g in [g * y] }
    }

    public func log() -> Variable {
        let x = value
        return Variable.record(x.log(), inputs: [self]) { g in [g / x] }
    }

    public func sqrt() -> Variable {
        let y = value.sqrt()
        return Variable.record(y, inputs: [self]) { g in [g.zipWith(y) { gi, yi in gi / (2 * yi) }] }
    }

    public func squared() -> Variable {
        let x = value
        return Variable.record(x.squared(), inputs: [self]) { g in [g.zipWith(x) { gi, xi in 2 * xi * gi }] }
    }

    /// `log(1 + exp(x))`, computed stably.
    public func softplus() -> Variable {
        let x = value
        return Variable.record(x.softplus(), inputs: [self]) { g in [g * x.sigmoid()] }
    }

    /// Log-softmax over the last axis: `x - log(sum(exp(x)))`, shifted by the row maximum.
    public func logSoftmax() -> Variable {
        precondition(value.rank >= 1, "logSoftmax needs rank >= 1")
        let width = value.shape[value.rank - 1]
        let rows = value.count / Swift.max(width, 1)
        var y = value
        y.withUnsafeMutablePointer { p in
            for r in 0..<rows {
                let row = p + r * width
                var top = -Float.infinity
                for j in 0..<width { top = Swift.max(top, row[j]) }
                var total: Float = 0
                for j in 0..<width { total += Foundation.expf(row[j] - top) }
                let shift = top + Foundation.logf(total)
                for j in 0..<width { row[j] -= shift }
            }
        }
        return Variable.record(y, inputs: [self]) { g in
            var dx = g
            dx.withUnsafeMutablePointer { d in
                y.withUnsafePointer { yp in
                    for r in 0..<rows {
                        let drow = d + r * width, yrow = yp + r * width
                        var total: Float = 0
                        for j in 0..<width { total += drow[j] }
                        for j in 0..<width { drow[j] -= Foundation.expf(yrow[j]) * total }
                    }
                }
            }
            return [dx]
        }
    }
}
