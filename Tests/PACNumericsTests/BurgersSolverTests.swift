import Foundation
@testable import PACNumerics
import Testing

/// Solutions shared by the tests (computed once, lazily and thread-safely).
private enum BurgersRuns {
    /// The reported resolution: 256 collocation points, dt <= 1e-3.
    static let standard = BurgersSolver()
    /// The 2x finer run in space and time.
    static let fine = BurgersSolver(collocationPoints: 512, maxTimeStep: 5e-4)

    static let source = standard.solve(nu: 0.05)
    static let target = standard.solve(nu: 0.02)
    static let sourceFine = fine.solve(nu: 0.05)
    static let targetFine = fine.solve(nu: 0.02)

    static func standard(nu: Double) -> BurgersSolution { nu == 0.05 ? source : target }
    static func fine(nu: Double) -> BurgersSolution { nu == 0.05 ? sourceFine : targetFine }
}

/// `BurgersSolver` against the exact Cole-Hopf solution, a 2x refinement, and the symmetries.
struct BurgersSolverTests {
    @Test func gridAndLayout() {
        let solution = BurgersRuns.target
        #expect(solution.x.count == 256 && solution.t.count == 101 && solution.values.count == 256 * 101)
        #expect(solution.x.first == -1 && solution.x.last == 1)
        #expect(solution.t.first == 0 && solution.t.last == 1 && abs(solution.t[50] - 0.5) < 1e-15)
        #expect(abs(solution.x[1] - (-1 + 2.0 / 255)) < 1e-15)
        #expect(solution.u[7][33] == solution[7, 33] && solution[7, 33] == solution.values[7 * 101 + 33])
        #expect(solution.collocationPoints == 256 && solution.timeStep == 1e-3)
        // The t = 0 column is the initial condition.
        let initialError = solution.x.indices.map { abs(solution[$0, 0] + sin(Double.pi * solution.x[$0])) }.max()!
        #expect(initialError < 1e-15)
    }

    /// The quadrature reference is converged (finer spacing, wider range) and starts at -sin(pi x).
    @Test func coleHopfReferenceIsAccurate() {
        var worst = 0.0
        for nu in [0.05, 0.02] {
            for t in [0.05, 0.5, 1.0] {
                for x in [-0.9, -0.3, -0.01, 0.004, 0.2, 0.7] {
                    let reference = ColeHopfBurgers.u(x: x, t: t, nu: nu)
                    let finer = ColeHopfBurgers.u(x: x, t: t, nu: nu, dz: 0.0025, zMax: 12)
                    worst = max(worst, abs(reference - finer))
                }
            }
            for x in [-0.75, -0.1, 0.33, 0.5] {
                #expect(abs(ColeHopfBurgers.u(x: x, t: 1e-10, nu: nu) + sin(Double.pi * x)) < 1e-8)
            }
        }
        #expect(worst < 1e-13, "reference self-consistency \(worst)")
    }

    /// The solver's error is set by time stepping (Lawson RK4, dt = 1e-3), not by the 127-mode
    /// truncation (~1e-11 at nu = 0.02); measured ~1e-9 or below. 1e-7 leaves a wide margin while
    /// still catching any real defect (the spec's bar, 1e-3, is four orders looser).
    @Test(arguments: [0.05, 0.02])
    func matchesColeHopf(nu: Double) {
        let solution = BurgersRuns.standard(nu: nu)
        var worst = 0.0
        for k in [10, 25, 50, 100] {
            let t = solution.t[k]
            // x >= 0 suffices: the solution is exactly odd (tested separately).
            for i in 128..<256 {
                worst = max(worst, abs(solution[i, k] - ColeHopfBurgers.u(x: solution.x[i], t: t, nu: nu)))
            }
        }
        #expect(worst < 1e-7, "nu = \(nu): max |u - u_ColeHopf| = \(worst)")
    }

    /// The spec's convergence check: the reported 256-point run against a 2x finer run (512
    /// collocation points, half the time step) on the reported 256 x 101 grid.
    @Test(arguments: [0.05, 0.02])
    func refinementDifferenceIsBelowSpecTolerance(nu: Double) {
        let coarse = BurgersRuns.standard(nu: nu), fine = BurgersRuns.fine(nu: nu)
        #expect(coarse.x == fine.x && coarse.t == fine.t)
        let difference = zip(coarse.values, fine.values).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-3, "nu = \(nu): max |u_256 - u_512| = \(difference)")
        #expect(difference < 1e-7, "nu = \(nu): max |u_256 - u_512| = \(difference)")
    }

    @Test(arguments: [0.05, 0.02])
    func boundaryValuesVanishAndSolutionIsOdd(nu: Double) {
        let solution = BurgersRuns.standard(nu: nu)
        let n = solution.x.count
        var boundary = 0.0, asymmetry = 0.0
        for k in solution.t.indices {
            boundary = max(boundary, abs(solution[0, k]), abs(solution[n - 1, k]))
            for i in 0..<n { asymmetry = max(asymmetry, abs(solution[i, k] + solution[n - 1 - i, k])) }
        }
        #expect(boundary < 1e-10, "boundary \(boundary)")
        #expect(asymmetry < 1e-10, "asymmetry \(asymmetry)")
        // Physical sanity: a steepening front at x = 0 that decays; |u| never exceeds max|u0| = 1.
        #expect(solution.values.allSatisfy { abs($0) <= 1 + 1e-12 })
    }
}
