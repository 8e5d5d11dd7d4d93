@testable import PACBenchmarks
import Testing

/// `Summary`: mean, sample standard deviation (n - 1) and its `mean ± std` text.
struct SummaryTests {
    @Test func meanAndSampleStandardDeviation() {
        // mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32/7.
        let summary = Summary([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(summary.count == 8)
        #expect(summary.mean == 5)
        #expect(abs(summary.standardDeviation - (32.0 / 7).squareRoot()) < 1e-12)
    }

    @Test func twoValues() {
        let summary = Summary([1, 3])
        #expect(summary.mean == 2)
        #expect(abs(summary.standardDeviation - 2.0.squareRoot()) < 1e-12)
    }

    @Test func singleValueHasZeroStandardDeviation() {
        let summary = Summary([3.25])
        #expect(summary.mean == 3.25)
        #expect(summary.standardDeviation == 0)
        #expect(summary.count == 1)
    }

    @Test func identicalValuesHaveZeroStandardDeviation() {
        #expect(Summary([0.1, 0.1, 0.1]).standardDeviation < 1e-16)
    }

    @Test func formattedShowsFourSignificantDigits() {
        #expect(Summary([1, 3]).formatted == "2.000 ± 1.414")
        #expect(Summary([12.5]).formatted == "12.50 ± 0.00")
        #expect(Summary([0.01234, 0.01234]).formatted == "0.01234 ± 0.00000")
        #expect(Summary([1234.4]).formatted == "1234 ± 0")
    }
}
