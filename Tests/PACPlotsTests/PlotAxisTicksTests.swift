@testable import PACPlots
import Foundation
import Testing

/// `AxisTicks`: nice 1-2-5 linear ticks, decade log ticks, degenerate ranges.
struct PlotAxisTicksTests {
    @Test func niceLinearTicksForZeroToPointNineThree() {
        let ticks = AxisTicks.make(scale: .linear, lower: 0, upper: 0.93, targetCount: 5)
        #expect(ticks.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let expected = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
        #expect(ticks.major.count == expected.count)
        for (a, b) in zip(ticks.major, expected) { #expect(abs(a - b) < 1e-12) }
        #expect(ticks.domain.lowerBound == 0)
        #expect(abs(ticks.domain.upperBound - 1) < 1e-12)
    }

    @Test func linearStepsAreOneTwoOrFive() {
        for (lo, hi) in [(0.0, 7.3), (-3.2, 41.0), (0.001, 0.0043), (100.0, 2500.0), (-1e-3, 1e-3)] {
            let ticks = AxisTicks.make(scale: .linear, lower: lo, upper: hi, targetCount: 6)
            #expect(ticks.major.count >= 2 && ticks.major.count <= 13)
            let step = ticks.major[1] - ticks.major[0]
            let mantissa = step / pow(10, floor(log10(step) + 1e-9))
            #expect([1.0, 2.0, 5.0].contains { abs($0 - mantissa) < 1e-6 }, "step \(step)")
            #expect(ticks.domain.lowerBound <= lo && ticks.domain.upperBound >= hi)
        }
    }

    @Test func withoutExpansionTheDomainIsTheGivenRange() {
        let ticks = AxisTicks.make(scale: .linear, lower: 0.13, upper: 0.87, targetCount: 4, expand: false)
        #expect(ticks.domain == 0.13...0.87)
        #expect(ticks.major.allSatisfy { ticks.domain.contains($0) })
    }

    @Test func logTicksAreDecades() {
        let ticks = AxisTicks.make(scale: .log10, lower: 10, upper: 1000)
        #expect(ticks.labels == ["10", "100", "1000"])
        #expect(ticks.major == [10, 100, 1000])
        #expect(ticks.domain == 10...1000)
        #expect(ticks.minor.contains { abs($0 - 20) < 1e-9 } && ticks.minor.contains { abs($0 - 500) < 1e-9 })
        #expect(ticks.minor.count == 16)
    }

    @Test func logDomainExpandsToWholeDecades() {
        let ticks = AxisTicks.make(scale: .log10, lower: 0.03, upper: 42)
        #expect(ticks.labels == ["0.01", "0.1", "1", "10", "100"])
    }

    @Test func manyDecadesLabelEveryNthDecade() {
        let ticks = AxisTicks.make(scale: .log10, lower: 1e-6, upper: 1e6, targetCount: 4)
        #expect(ticks.labels.count <= 5 && ticks.labels.count >= 2)
        #expect(ticks.labels.contains("1e-6") && ticks.labels.contains("1e6"))
        #expect(ticks.labels.contains("1"))
    }

    @Test func narrowLogLimitsLabelOneTwoFive() {
        let ticks = AxisTicks.make(scale: .log10, lower: 1.5, upper: 8, expand: false)
        #expect(ticks.labels == ["2", "5"])
    }

    @Test func degenerateRangesStayFinite() {
        let cases: [(AxisScale, Double, Double)] = [
            (.linear, 5, 5), (.linear, 0, 0), (.linear, -3, -3), (.linear, .nan, 1), (.linear, 1, .infinity),
            (.log10, 100, 100), (.log10, -1, 0), (.log10, 0.5, 0.5), (.log10, .nan, .nan), (.linear, 1e-300, 1e-300),
        ]
        for (scale, lo, hi) in cases {
            let ticks = AxisTicks.make(scale: scale, lower: lo, upper: hi)
            #expect(ticks.domain.lowerBound.isFinite && ticks.domain.upperBound.isFinite)
            #expect(ticks.domain.lowerBound < ticks.domain.upperBound, "\(scale) \(lo) \(hi)")
            #expect(!ticks.major.isEmpty)
            #expect(ticks.major.count == ticks.labels.count)
            #expect(ticks.labels.allSatisfy(isFreeOfNonFiniteNumbers))
            if lo.isFinite, hi.isFinite, scale.accepts(lo) { #expect(ticks.domain.contains(lo)) }
        }
        #expect(AxisTicks.make(scale: .linear, lower: 0, upper: 0).domain == -1...1)
        #expect(AxisTicks.make(scale: .log10, lower: 100, upper: 100).labels == ["10", "100", "1000"])
    }

    @Test func smallAndLargeValuesUseExponents() {
        #expect(AxisTicks.make(scale: .linear, lower: 0, upper: 3e-5, targetCount: 3).labels == ["0", "1e-5", "2e-5", "3e-5"])
        #expect(AxisTicks.make(scale: .linear, lower: 0, upper: 4e6, targetCount: 4).labels == ["0", "1e6", "2e6", "3e6", "4e6"])
        #expect(AxisTicks.make(scale: .linear, lower: -1, upper: 1, targetCount: 4).labels == ["-1.0", "-0.5", "0", "0.5", "1.0"])
    }
}
