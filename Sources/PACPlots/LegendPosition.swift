/// Where a plot draws its legend.
public enum LegendPosition: Sendable, Equatable {
    /// The first inside corner (top-right, top-left, bottom-right, bottom-left) where the
    /// legend covers no data; if every corner would, outside to the right of the plot area.
    case automatic
    /// Inside the plot area, top-right corner.
    case topRight
    /// Inside the plot area, top-left corner.
    case topLeft
    /// Inside the plot area, bottom-right corner.
    case bottomRight
    /// Inside the plot area, bottom-left corner.
    case bottomLeft
    /// Outside the plot area, to its right.
    case outsideRight
    /// No legend.
    case hidden
}
