import Foundation

/// Mean and sample standard deviation (n - 1 in the denominator; 0 for a single value).
public struct Summary: Sendable, Equatable {
    public let mean: Double
    public let standardDeviation: Double
    public let count: Int

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "summary of no values")
        count = values.count
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.mean = mean
        standardDeviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
    }

    /// `mean ± std` with four significant digits in the mean, the std to the same decimals.
    public var formatted: String {
        let decimals = Summary.decimals(for: mean)
        return "\(Summary.format(mean, decimals: decimals)) ± \(Summary.format(standardDeviation, decimals: decimals))"
    }

    /// `value` with four significant digits.
    public static func formatted(_ value: Double) -> String { format(value, decimals: decimals(for: value)) }

    /// Decimals that show four significant digits of `value` (at most 6).
    static func decimals(for value: Double) -> Int {
        guard value.isFinite, value != 0 else { return 3 }
        return min(6, max(0, 3 - Int(Foundation.floor(Foundation.log10(abs(value))))))
    }

    static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        return String(format: "%.\(decimals)f", value)
    }
}
