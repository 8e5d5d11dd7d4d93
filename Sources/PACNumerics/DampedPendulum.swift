import Foundation

/// The damped pendulum of the `pendulum` task: `theta' = omega`,
/// `omega' = -(g/L) sin(theta) - gamma * omega` with `g = 9.81`.
///
/// States are `[theta, omega]` (radians, radians per second). The ground-truth flow is classical
/// RK4 with a 0.001 s internal step, as the benchmark specification prescribes.
public struct DampedPendulum: Sendable, Hashable {
    /// Gravitational acceleration `g` in m/s^2.
    public static let gravity = 9.81

    /// Pendulum length `L` in metres.
    public var length: Double
    /// Damping rate `gamma` in 1/s.
    public var damping: Double

    /// Creates a pendulum of the given length and damping rate.
    public init(length: Double, damping: Double) {
        precondition(length > 0, "DampedPendulum: length must be positive")
        self.length = length
        self.damping = damping
    }

    /// `g / L`, the squared small-angle angular frequency.
    public var stiffness: Double { Self.gravity / length }

    /// The small-angle period of the undamped pendulum, `2 pi sqrt(L / g)`.
    public var smallAnglePeriod: Double { 2 * Double.pi * (length / Self.gravity).squareRoot() }

    /// Writes `(theta', omega')` at `state` into `derivative` (both with two entries).
    public func derivative(at state: [Double], into derivative: inout [Double]) {
        derivative[0] = state[1]
        derivative[1] = -stiffness * sin(state[0]) - damping * state[1]
    }

    /// The state `dt` seconds after `state`, integrated by RK4 with step `internalStep`.
    ///
    /// `dt` must be a whole multiple of `internalStep` (see
    /// ``RungeKutta4/integrate(from:state:duration:stepSize:field:)``).
    public func flow(_ state: [Double], over dt: Double = 0.1, internalStep: Double = 0.001) -> [Double] {
        precondition(state.count == 2, "DampedPendulum.flow: the state is [theta, omega]")
        var integrator = RungeKutta4(dimension: 2)
        var next = state
        // The field is autonomous; `t` only matters to the integrator's bookkeeping.
        integrator.integrate(from: 0, state: &next, duration: dt, stepSize: internalStep) { _, y, dydt in
            derivative(at: y, into: &dydt)
        }
        return next
    }

    /// The energy per unit mass and squared length, `omega^2 / 2 + (g/L)(1 - cos theta)`.
    ///
    /// It changes at rate `-gamma * omega^2`, so it never increases when `gamma >= 0`.
    public func energy(_ state: [Double]) -> Double {
        0.5 * state[1] * state[1] + stiffness * (1 - cos(state[0]))
    }
}
