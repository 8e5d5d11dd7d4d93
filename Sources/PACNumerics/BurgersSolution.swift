/// A solution of the viscous Burgers problem sampled on a tensor grid of points `x` and times `t`.
///
/// `values` is x-major: `u(x[i], t[k])` is `values[i * t.count + k]`, also available as
/// `self[i, k]` and `u[i][k]`.
public struct BurgersSolution: Sendable {
    /// The viscosity `nu`.
    public let viscosity: Double
    /// The sample points, `linspace(-1, 1, points)`, exactly antisymmetric (`x[n-1-i] == -x[i]`).
    public let x: [Double]
    /// The sample times, `linspace(0, finalTime, times)`.
    public let t: [Double]
    /// `u(x[i], t[k])` at `values[i * t.count + k]`.
    public let values: [Double]
    /// The solver's periodic collocation points on `[-1, 1)` (its spatial resolution).
    public let collocationPoints: Int
    /// The time step the solver actually took.
    public let timeStep: Double

    /// Wraps precomputed samples; `values` must have `x.count * t.count` entries, x-major.
    public init(viscosity: Double, x: [Double], t: [Double], values: [Double], collocationPoints: Int, timeStep: Double) {
        precondition(values.count == x.count * t.count, "BurgersSolution: values must hold x.count * t.count samples")
        self.viscosity = viscosity
        self.x = x
        self.t = t
        self.values = values
        self.collocationPoints = collocationPoints
        self.timeStep = timeStep
    }

    /// `u(x[i], t[k])`.
    public subscript(i: Int, k: Int) -> Double { values[i * t.count + k] }

    /// The samples as nested arrays, `u[i][k] = u(x[i], t[k])`.
    public var u: [[Double]] {
        (0..<x.count).map { i in Array(values[(i * t.count)..<((i + 1) * t.count)]) }
    }

    /// The profile `u(x, t[k])` at time index `k`.
    public func profile(atTimeIndex k: Int) -> [Double] {
        (0..<x.count).map { i in self[i, k] }
    }
}
