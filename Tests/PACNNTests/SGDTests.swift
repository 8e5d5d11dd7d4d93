import PACEngine
import PACNN
import Testing

/// SGD checked against PyTorch's rule written out by hand (in Double):
///
///     g = grad + wd * p
///     buf_1 = g;  buf_t = mu * buf_{t-1} + (1 - dampening) * g
///     d = nesterov ? g + mu * buf_t : buf_t     (d = g without momentum)
///     p -= lr * d
@Suite("SGD against hand-computed PyTorch steps")
struct SGDTests {
    private let p0: [Float] = [0.5, -1.0, 2.0]
    private let grads: [[Float]] = [[0.1, -0.2, 0.3], [-0.05, 0.4, 0.3], [0.2, 0.0, -0.1]]

    private func expectClose(_ actual: [Float], _ expected: [Double], _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(Double(a) - e) <= 1e-6 * max(abs(e), 1e-12), "\(what)[\(i)]: \(a) vs \(e)", sourceLocation: sourceLocation)
        }
    }

    private func run(_ sgd: SGD, _ parameter: Parameter) -> [[Float]] {
        grads.map { g in
            parameter.variable.grad = Tensor(g)
            sgd.step()
            return parameter.value.scalars
        }
    }

    @Test func plain() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let sgd = SGD(parameters: [parameter], learningRate: 0.1)
        let trajectory = run(sgd, parameter)
        let lr = Double(sgd.learningRate)
        let g = grads.map { $0.map(Double.init) }
        let p0 = self.p0.map(Double.init)
        let p1 = (0..<3).map { p0[$0] - lr * g[0][$0] }
        let p2 = (0..<3).map { p1[$0] - lr * g[1][$0] }
        let p3 = (0..<3).map { p2[$0] - lr * g[2][$0] }
        expectClose(trajectory[0], p1, "p1")
        expectClose(trajectory[1], p2, "p2")
        expectClose(trajectory[2], p3, "p3")
        #expect(sgd.momentumBuffer(0) == nil)
    }

    @Test func momentum() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let sgd = SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9)
        let trajectory = run(sgd, parameter)
        let (lr, mu) = (Double(sgd.learningRate), Double(sgd.momentum))
        let g = grads.map { $0.map(Double.init) }
        let p0 = self.p0.map(Double.init)
        let buf1 = g[0]  // first step: buf = g
        let p1 = (0..<3).map { p0[$0] - lr * buf1[$0] }
        let buf2 = (0..<3).map { mu * buf1[$0] + g[1][$0] }
        let p2 = (0..<3).map { p1[$0] - lr * buf2[$0] }
        let buf3 = (0..<3).map { mu * buf2[$0] + g[2][$0] }
        let p3 = (0..<3).map { p2[$0] - lr * buf3[$0] }
        expectClose(trajectory[0], p1, "p1")
        expectClose(trajectory[1], p2, "p2")
        expectClose(trajectory[2], p3, "p3")
        expectClose(sgd.momentumBuffer(0)!, buf3, "buf3")
    }

    @Test func momentumWithDampening() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let sgd = SGD(parameters: [parameter], learningRate: 0.05, momentum: 0.8, dampening: 0.3)
        let trajectory = run(sgd, parameter)
        let (lr, mu, damp) = (Double(sgd.learningRate), Double(sgd.momentum), Double(sgd.dampening))
        let g = grads.map { $0.map(Double.init) }
        let p0 = self.p0.map(Double.init)
        let buf1 = g[0]  // PyTorch does not dampen the first step
        let p1 = (0..<3).map { p0[$0] - lr * buf1[$0] }
        let buf2 = (0..<3).map { mu * buf1[$0] + (1 - damp) * g[1][$0] }
        let p2 = (0..<3).map { p1[$0] - lr * buf2[$0] }
        let buf3 = (0..<3).map { mu * buf2[$0] + (1 - damp) * g[2][$0] }
        let p3 = (0..<3).map { p2[$0] - lr * buf3[$0] }
        expectClose(trajectory[0], p1, "p1")
        expectClose(trajectory[1], p2, "p2")
        expectClose(trajectory[2], p3, "p3")
        expectClose(sgd.momentumBuffer(0)!, buf3, "buf3")
    }

    @Test func nesterov() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let sgd = SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9, nesterov: true)
        let trajectory = run(sgd, parameter)
        let (lr, mu) = (Double(sgd.learningRate), Double(sgd.momentum))
        let g = grads.map { $0.map(Double.init) }
        let p0 = self.p0.map(Double.init)
        let buf1 = g[0]
        let p1 = (0..<3).map { p0[$0] - lr * (g[0][$0] + mu * buf1[$0]) }
        let buf2 = (0..<3).map { mu * buf1[$0] + g[1][$0] }
        let p2 = (0..<3).map { p1[$0] - lr * (g[1][$0] + mu * buf2[$0]) }
        let buf3 = (0..<3).map { mu * buf2[$0] + g[2][$0] }
        let p3 = (0..<3).map { p2[$0] - lr * (g[2][$0] + mu * buf3[$0]) }
        expectClose(trajectory[0], p1, "p1")
        expectClose(trajectory[1], p2, "p2")
        expectClose(trajectory[2], p3, "p3")
    }

    @Test func weightDecayWithoutMomentum() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let sgd = SGD(parameters: [parameter], learningRate: 0.1, weightDecay: 0.01)
        let trajectory = run(sgd, parameter)
        let (lr, wd) = (Double(sgd.learningRate), Double(sgd.weightDecay))
        var p = p0.map(Double.init)
        for (t, grad) in grads.enumerated() {
            p = (0..<3).map { p[$0] - lr * (Double(grad[$0]) + wd * p[$0]) }
            expectClose(trajectory[t], p, "p\(t + 1)")
        }
    }

    @Test func weightDecayWithNesterovMomentum() {
        let parameter = Parameter(Tensor(p0), role: .weight)
        let sgd = SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.5, weightDecay: 0.2, nesterov: true)
        let trajectory = run(sgd, parameter)
        let (lr, mu, wd) = (Double(sgd.learningRate), Double(sgd.momentum), Double(sgd.weightDecay))
        var p = p0.map(Double.init), buf = [0.0, 0, 0]
        for (t, grad) in grads.enumerated() {
            for i in 0..<3 {
                let g = Double(grad[i]) + wd * p[i]
                buf[i] = t == 0 ? g : mu * buf[i] + g
                p[i] -= lr * (g + mu * buf[i])
            }
            expectClose(trajectory[t], p, "p\(t + 1)")
        }
        expectClose(sgd.momentumBuffer(0)!, buf, "buf")
    }

    @Test func momentumStartsPerParameter() {
        // A parameter first stepped later still takes buf = g on its own first step.
        let a = Parameter(Tensor([1]), role: .weight), b = Parameter(Tensor([1]), role: .weight)
        let sgd = SGD(parameters: [a, b], learningRate: 0.1, momentum: 0.9, dampening: 0.5)
        a.variable.grad = Tensor([1])
        sgd.step()  // b has no gradient yet
        #expect(b.value == Tensor([1]) && sgd.momentumBuffer(1) == nil)
        b.variable.grad = Tensor([2])
        sgd.step()
        #expect(sgd.momentumBuffer(1) == [2])
        expectClose(b.value.scalars, [1 - 0.1 * 2], "b")
        expectClose(sgd.momentumBuffer(0)!, [0.9 * 1 + 0.5 * 1], "buf a")
    }
}
