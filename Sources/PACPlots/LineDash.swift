/// The stroke pattern of a series' line, e.g. solid for the truth and dashed for a prediction.
public enum LineDash: Sendable, Equatable, CaseIterable {
    /// A continuous line.
    case solid
    /// Long dashes.
    case dashed
    /// Dots.
    case dotted
    /// Alternating dashes and dots.
    case dashDot
    /// No line: markers (and error bars) only, as in a scatter plot.
    case none

    /// The `stroke-dasharray` pattern for a line of `width`; `nil` for solid.
    func dashArray(width: Double) -> [Double]? {
        let w = max(width, 1)
        switch self {
        case .solid, .none: return nil
        case .dashed: return [4 * w, 2.5 * w]
        case .dotted: return [0.01, 2.2 * w]
        case .dashDot: return [4 * w, 1.8 * w, 0.01, 1.8 * w]
        }
    }

    /// Line cap that makes zero-length dashes visible as round dots.
    var lineCap: String? { self == .dotted || self == .dashDot ? "round" : nil }
}
