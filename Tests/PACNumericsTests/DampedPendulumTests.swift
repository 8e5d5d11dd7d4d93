import Foundation
@testable import PACNumerics
import Testing

/// `DampedPendulum`: energy dissipation and conservation, the small-angle period and damping.
struct DampedPendulumTests {
    @Test func energyNeverIncreasesWithDamping() {
        for pendulum in [DampedPendulum(length: 1.0, damping: 0.2), DampedPendulum(length: 1.5, damping: 0.5)] {
            var state = [2.4, -3.5]
            var energy = pendulum.energy(state)
            var maxIncrease = -Double.infinity
            for _ in 0..<50 {
                state = pendulum.flow(state)
                let next = pendulum.energy(state)
                maxIncrease = max(maxIncrease, next - energy)
                energy = next
            }
            // dE/dt = -gamma omega^2 <= 0; allow only rounding-level increases.
            #expect(maxIncrease <= 1e-12, "max energy increase \(maxIncrease)")
            #expect(energy < pendulum.energy([2.4, -3.5]))
        }
    }

    @Test func energyIsConservedWithoutDamping() {
        let pendulum = DampedPendulum(length: 1.0, damping: 0)
        var state = [2.0, 1.5]
        let initial = pendulum.energy(state)
        var drift = 0.0
        for _ in 0..<50 {  // 5 s
            state = pendulum.flow(state)
            drift = max(drift, abs(pendulum.energy(state) - initial))
        }
        #expect(drift < 1e-9, "energy drift \(drift)")
    }

    /// Upward zero crossings of theta, linearly interpolated on the 1 ms internal grid (theta''
    /// vanishes at a crossing, so the interpolation error is third order).
    @Test func smallAnglePeriod() {
        for length in [1.0, 1.5] {
            let pendulum = DampedPendulum(length: length, damping: 0)
            var state = [-0.01, 0.0]
            var crossings: [Double] = []
            let h = 0.001
            var k = 0
            while crossings.count < 4 {
                let next = pendulum.flow(state, over: h, internalStep: h)
                if state[0] < 0 && next[0] >= 0 {
                    crossings.append((Double(k) + state[0] / (state[0] - next[0])) * h)
                }
                state = next
                k += 1
            }
            let period = (crossings[3] - crossings[0]) / 3
            // The amplitude correction is theta0^2/16 ~ 6e-6 relative.
            #expect(abs(period / pendulum.smallAnglePeriod - 1) < 2e-5, "period \(period)")
        }
    }

    /// At tiny amplitude the flow is the linear damped oscillator
    /// theta = exp(-gamma t / 2) (cos(w t) + gamma / (2 w) sin(w t)) theta0, w^2 = g/L - gamma^2/4.
    @Test func smallAmplitudeMatchesLinearDampedOscillator() {
        let pendulum = DampedPendulum(length: 1.5, damping: 0.5)
        let theta0 = 1e-4
        var state = [theta0, 0.0]
        for _ in 0..<20 { state = pendulum.flow(state) }
        let t = 2.0, gamma = pendulum.damping
        let w = (pendulum.stiffness - gamma * gamma / 4).squareRoot()
        let exact = exp(-gamma * t / 2) * (cos(w * t) + gamma / (2 * w) * sin(w * t)) * theta0
        // Nonlinear correction ~ theta0^3 / 6.
        #expect(abs(state[0] - exact) < 1e-11, "theta \(state[0]) vs \(exact)")
    }
}
