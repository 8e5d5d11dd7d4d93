import Foundation
@testable import PACNumerics
import Testing

/// `RungeKutta4`: fourth-order global convergence, exactness on cubic right-hand sides, step
/// bookkeeping.
struct RungeKutta4Tests {
    /// Global error at `t = 1` of `y' = -2 t y`, `y(0) = 1` (exact `exp(-t^2)`).
    private func gaussianError(stepSize: Double) -> Double {
        var rk = RungeKutta4(dimension: 1)
        var y = [1.0]
        rk.integrate(from: 0, state: &y, duration: 1, stepSize: stepSize) { t, y, dydt in dydt[0] = -2 * t * y[0] }
        return abs(y[0] - exp(-1))
    }

    /// Max-norm global error at `t = 2` of `y1' = y2, y2' = -4 y1`, `y(0) = (1, 0)`
    /// (exact `(cos 2t, -2 sin 2t)`).
    private func oscillatorError(stepSize: Double) -> Double {
        var rk = RungeKutta4(dimension: 2)
        var y = [1.0, 0.0]
        rk.integrate(from: 0, state: &y, duration: 2, stepSize: stepSize) { _, y, dydt in
            dydt[0] = y[1]
            dydt[1] = -4 * y[0]
        }
        return max(abs(y[0] - cos(4.0)), abs(y[1] + 2 * sin(4.0)))
    }

    /// Observed orders `log2(e(h) / e(h/2))` over successive halvings.
    private func observedOrders(_ error: (Double) -> Double, coarsest: Double, halvings: Int) -> [Double] {
        let errors = (0...halvings).map { error(coarsest / Double(1 << $0)) }
        return zip(errors, errors.dropFirst()).map { log2($0 / $1) }
    }

    @Test func fourthOrderOnGaussianDecay() {
        let orders = observedOrders(gaussianError, coarsest: 0.1, halvings: 4)
        #expect(orders.allSatisfy { (3.8...4.2).contains($0) }, "orders \(orders)")
    }

    @Test func fourthOrderOnLinearOscillator() {
        let orders = observedOrders(oscillatorError, coarsest: 0.1, halvings: 4)
        #expect(orders.allSatisfy { (3.8...4.2).contains($0) }, "orders \(orders)")
    }

    /// RK4 reduces to Simpson's rule when `f` depends on `t` only, which is exact for cubics.
    @Test func exactForCubicRightHandSide() {
        var rk = RungeKutta4(dimension: 1)
        var y = [0.5]
        rk.integrate(from: -1, state: &y, duration: 3, stepSize: 0.5) { t, _, dydt in
            dydt[0] = 4 * t * t * t - 3 * t * t + 2 * t - 1
        }
        func antiderivative(_ t: Double) -> Double { t * t * t * t - t * t * t + t * t - t }
        #expect(abs(y[0] - (0.5 + antiderivative(2) - antiderivative(-1))) < 1e-12)
    }

    @Test func stepCountAcceptsRoundedMultiples() {
        #expect(RungeKutta4.stepCount(duration: 1, stepSize: 0.1) == 10)
        #expect(RungeKutta4.stepCount(duration: 0.3, stepSize: 0.1) == 3)
        #expect(RungeKutta4.stepCount(duration: 0.1, stepSize: 0.001) == 100)
        #expect(RungeKutta4.stepCount(duration: 0, stepSize: 0.1) == 0)
    }

    @Test func integrateReturnsEndTimeAndStatesMatchIntegrate() {
        let field: RungeKutta4.VectorField = { t, y, dydt in
            dydt[0] = y[1]
            dydt[1] = -y[0] + 0.1 * cos(t)
        }
        var rk = RungeKutta4(dimension: 2)
        var y = [0.3, -0.2]
        let end = rk.integrate(from: 0.5, state: &y, duration: 1.5, stepSize: 0.01, field: field)
        #expect(end == 2.0)
        let outputs = rk.states(at: [0.5, 1.0, 1.0, 2.0], from: 0.5, initial: [0.3, -0.2], stepSize: 0.01, field: field)
        #expect(outputs[0] == [0.3, -0.2])
        #expect(outputs[1] == outputs[2])
        // Same steps at the same times, in the same order: bit-identical.
        #expect(outputs[3] == y)
    }
}
