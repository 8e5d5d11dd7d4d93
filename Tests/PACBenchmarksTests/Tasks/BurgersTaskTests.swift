import PACEngine
import PACNN
import PACNumerics
import Testing
@testable import PACBenchmarks

@Suite struct BurgersTaskTests {
    static let data = BurgersTask().makeData(seed: 1, targetPoolSize: 200)

    @Test func splitsTheGridAsSpecified() {
        let data = Self.data
        #expect(data.sourceTrain.count == 10_000)
        #expect(data.sourceTest.count == 256 * 101 - 10_000)
        #expect(data.targetTest.count == 256 * 101)
        #expect(data.targetTrain.count == 200)
        // Source train and test are disjoint grid points.
        let key = { (d: Dataset, r: Int) in "\(d.inputs[r, 0]),\(d.inputs[r, 1])" }
        let train = Set((0..<data.sourceTrain.count).map { key(data.sourceTrain, $0) })
        #expect((0..<data.sourceTest.count).allSatisfy { !train.contains(key(data.sourceTest, $0)) })
    }

    @Test func gridHoldsTheSolverValues() {
        let solution = BurgersSolver().solve(nu: 0.02)
        let grid = BurgersTask.grid(solution)
        #expect(grid.count == 256 * 101)
        for (i, k) in [(0, 0), (100, 50), (255, 100), (128, 7)] {
            let row = i * 101 + k
            #expect(grid.inputs[row, 0] == Float(solution.x[i]) && grid.inputs[row, 1] == Float(solution.t[k]))
            #expect(grid.targets[row, 0] == Float(solution[i, k]))
        }
        // t = 0 is the initial condition -sin(pi x).
        #expect(abs(Double(grid.targets[100 * 101, 0]) + Foundation.sin(Double.pi * solution.x[100])) < 1e-6)
    }

    @Test func relativeL2() {
        let truth = Tensor([3, 4])
        #expect(BurgersTask.relativeL2(truth, truth) == 0)
        #expect(abs(BurgersTask.relativeL2(Tensor([0, 0]), truth) - 1) < 1e-12)
        #expect(abs(BurgersTask.relativeL2(Tensor([3, 5]), truth) - 0.2) < 1e-9)
    }

    @Test func targetSamplesAreNestedPrefixes() {
        let smaller = BurgersTask().makeData(seed: 1, targetPoolSize: 50)
        #expect(Self.data.targetTrain.prefix(50).inputs == smaller.targetTrain.inputs)
    }
}

import Foundation
