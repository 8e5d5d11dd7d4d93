import Foundation

/// The exact solution of `u_t + u u_x = nu u_xx`, `u(x, 0) = -sin(pi x)`, by the Cole-Hopf
/// transform: `u = -2 nu phi_x / phi` with `phi` the heat-equation evolution of
/// `f(y) = exp(-cos(pi y) / (2 pi nu))`, which gives
/// `u(x, t) = -∫ sin(pi (x - eta)) f(x - eta) G(eta) deta / ∫ f(x - eta) G(eta) deta`,
/// `G(eta) = exp(-eta^2 / (4 nu t))`.
///
/// With `eta = sqrt(4 nu t) z` both integrands are `exp(-z^2)` times a smooth bounded factor, so
/// the trapezoid sum on `[-zMax, zMax]` converges geometrically in `1/dz` (entire, rapidly
/// decaying integrand); the tests check the default spacing against a finer one. The exponent
/// is shifted by its upper bound `1 / (2 pi nu)` so `f` cannot overflow for small `nu`.
enum ColeHopfBurgers {
    static func u(x: Double, t: Double, nu: Double, dz: Double = 0.005, zMax: Double = 9) -> Double {
        precondition(t > 0 && nu > 0)
        let s = (4 * nu * t).squareRoot()
        let a = 1 / (2 * Double.pi * nu)
        let n = Int((zMax / dz).rounded())
        var numerator = 0.0, denominator = 0.0
        var j = -n
        while j <= n {
            let z = Double(j) * dz
            let y = x - s * z
            let weight = exp(-z * z - a * (cos(Double.pi * y) + 1))
            numerator += sin(Double.pi * y) * weight
            denominator += weight
            j += 1
        }
        return -numerator / denominator
    }
}
