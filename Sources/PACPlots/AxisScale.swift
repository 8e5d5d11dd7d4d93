import Foundation

/// How data values map to positions along an axis.
public enum AxisScale: Sendable, Equatable {
    /// Position proportional to the value.
    case linear
    /// Position proportional to `log10(value)`. Only positive, finite values can be shown:
    /// points with a zero or negative coordinate on a log axis are skipped (a line breaks
    /// there), and error bars that reach zero or below are cut at the axis edge.
    case log10

    /// The value in the axis's linear coordinate (`log10(value)` on a log axis), or `nil` when
    /// it cannot be shown (non-finite, or not positive on a log axis).
    func transform(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch self {
        case .linear: return value
        case .log10: return value > 0 ? Foundation.log10(value) : nil
        }
    }

    /// Whether the value can be placed on this axis.
    func accepts(_ value: Double) -> Bool { transform(value) != nil }
}
