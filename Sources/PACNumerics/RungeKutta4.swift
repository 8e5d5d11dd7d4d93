/// The classical fixed-step fourth-order Runge-Kutta method for `dy/dt = f(t, y)` on `[Double]`
/// states.
///
/// The integrator owns its four stage buffers and the intermediate state, so stepping allocates
/// nothing once the state and the buffers are uniquely referenced. The vector field writes the
/// derivative in place: it receives `dydt` with `dimension` entries holding stale values and must
/// overwrite every entry.
///
/// ```swift
/// var rk = RungeKutta4(dimension: 1)
/// var y = [1.0]
/// rk.integrate(from: 0, state: &y, duration: 1, stepSize: 0.01) { t, y, dydt in dydt[0] = -2 * t * y[0] }
/// ```
public struct RungeKutta4: Sendable {
    /// A vector field: `(t, y, dydt)` writes `f(t, y)` into `dydt` (same count as `y`).
    public typealias VectorField = (_ t: Double, _ y: [Double], _ dydt: inout [Double]) -> Void

    /// The number of state components.
    public let dimension: Int
    private var k1: [Double]
    private var k2: [Double]
    private var k3: [Double]
    private var k4: [Double]
    private var stage: [Double]

    /// Creates an integrator for states with `dimension` components.
    public init(dimension: Int) {
        precondition(dimension >= 0, "RungeKutta4: negative dimension")
        self.dimension = dimension
        k1 = Array(repeating: 0, count: dimension)
        k2 = k1
        k3 = k1
        k4 = k1
        stage = k1
    }

    /// Advances `state` from time `t` by one step of size `stepSize`.
    public mutating func step(time t: Double, state: inout [Double], stepSize h: Double,
                              field: VectorField) {
        precondition(state.count == dimension, "RungeKutta4: state has \(state.count) components, expected \(dimension)")
        let half = 0.5 * h
        field(t, state, &k1)
        Self.combine(into: &stage, base: state, scale: half, direction: k1)
        field(t + half, stage, &k2)
        Self.combine(into: &stage, base: state, scale: half, direction: k2)
        field(t + half, stage, &k3)
        Self.combine(into: &stage, base: state, scale: h, direction: k3)
        field(t + h, stage, &k4)
        let sixth = h / 6
        for i in 0..<dimension {
            state[i] += sixth * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i])
        }
    }

    /// Advances `state` from time `t0` over `duration` in equal steps and returns the final time.
    ///
    /// `duration` must be a non-negative whole multiple of `stepSize` to within `1e-9` relative
    /// (a precondition): the step count is `n = round(duration / stepSize)`, and the steps actually
    /// taken are `duration / n` so that the end time is exactly `t0 + duration`. Step `i` starts at
    /// `t0 + i * duration / n` (no accumulated rounding in the time).
    @discardableResult
    public mutating func integrate(from t0: Double, state: inout [Double], duration: Double, stepSize: Double,
                                   field: VectorField) -> Double {
        let n = Self.stepCount(duration: duration, stepSize: stepSize)
        guard n > 0 else { return t0 }
        let h = duration / Double(n)
        for i in 0..<n {
            step(time: t0 + Double(i) * h, state: &state, stepSize: h, field: field)
        }
        return t0 + duration
    }

    /// The states at each of `times`, integrating from `initial` at `t0`.
    ///
    /// `times` must be non-decreasing and start at or after `t0`; every gap (from `t0` to the
    /// first time, and between consecutive times) must be a whole multiple of `stepSize`, as in
    /// ``integrate(from:state:duration:stepSize:field:)``. A time equal to `t0` yields `initial`.
    public mutating func states(at times: [Double], from t0: Double, initial: [Double], stepSize: Double,
                                field: VectorField) -> [[Double]] {
        var state = initial
        var t = t0
        var result: [[Double]] = []
        result.reserveCapacity(times.count)
        for time in times {
            precondition(time >= t, "RungeKutta4.states: output times must be non-decreasing and >= t0")
            integrate(from: t, state: &state, duration: time - t, stepSize: stepSize, field: field)
            t = time
            result.append(state)
        }
        return result
    }

    /// `round(duration / stepSize)`, after checking that it is a whole number to 1e-9 relative.
    static func stepCount(duration: Double, stepSize: Double) -> Int {
        precondition(duration >= 0 && duration.isFinite, "RungeKutta4: duration must be finite and non-negative")
        if duration == 0 { return 0 }
        precondition(stepSize > 0 && stepSize.isFinite, "RungeKutta4: step size must be finite and positive")
        let ratio = duration / stepSize
        let n = ratio.rounded()
        precondition(n >= 1 && abs(ratio - n) <= 1e-9 * n,
                     "RungeKutta4: duration \(duration) is not a whole multiple of the step \(stepSize)")
        return Int(n)
    }

    /// `out = base + scale * direction`, written into `out`'s existing storage.
    private static func combine(into out: inout [Double], base: [Double], scale: Double, direction: [Double]) {
        for i in 0..<out.count {
            out[i] = base[i] + scale * direction[i]
        }
    }
}
