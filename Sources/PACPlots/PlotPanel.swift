/// One cell of a `PlotGrid`: a line plot or a heatmap.
public enum PlotPanel: Sendable, Equatable {
    /// A line plot.
    case line(LinePlot)
    /// A heatmap with its colour bar.
    case heatmap(Heatmap)

    /// The panel's title.
    public var title: String {
        switch self {
        case .line(let plot): plot.title
        case .heatmap(let map): map.title
        }
    }

    /// The panel's elements filling `frame`.
    public func elements(in frame: SVGRect) -> [SVGElement] {
        switch self {
        case .line(let plot): plot.elements(in: frame)
        case .heatmap(let map): map.elements(in: frame)
        }
    }
}
