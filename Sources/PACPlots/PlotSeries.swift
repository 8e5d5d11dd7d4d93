/// One named curve of a `LinePlot`: points `(x[i], y[i])`, optional symmetric error bars
/// `y[i] ± errors[i]`, a marker and a line dash.
///
/// If `x`, `y` (and `errors`) differ in length, the extra entries of the longer arrays are
/// ignored. Non-finite coordinates are skipped and break the line.
public struct PlotSeries: Sendable, Equatable {
    /// Legend text; an empty name leaves the series out of the legend.
    public var name: String
    /// Horizontal coordinates.
    public var x: [Double]
    /// Vertical coordinates.
    public var y: [Double]
    /// Half-lengths of vertical error bars (`y ± e`); `nil` for none. Non-finite or negative
    /// entries draw no bar.
    public var errors: [Double]?
    /// The symbol at each point.
    public var marker: PlotMarker
    /// The line's dash pattern (`.none` for markers only).
    public var dash: LineDash
    /// Colour; `nil` takes the next Okabe–Ito colour by series position.
    public var color: PlotColor?
    /// Stroke width of the line in pixels.
    public var lineWidth: Double

    /// A series from parallel coordinate arrays.
    public init(name: String, x: [Double], y: [Double], errors: [Double]? = nil, marker: PlotMarker = .none,
                dash: LineDash = .solid, color: PlotColor? = nil, lineWidth: Double = 1.8) {
        self.name = name
        self.x = x
        self.y = y
        self.errors = errors
        self.marker = marker
        self.dash = dash
        self.color = color
        self.lineWidth = lineWidth
    }

    /// A series from `(x, y)` pairs.
    public init(name: String, points: [(x: Double, y: Double)], errors: [Double]? = nil, marker: PlotMarker = .none,
                dash: LineDash = .solid, color: PlotColor? = nil, lineWidth: Double = 1.8) {
        self.init(name: name, x: points.map(\.x), y: points.map(\.y), errors: errors, marker: marker, dash: dash,
                  color: color, lineWidth: lineWidth)
    }

    /// The number of usable points: the shorter of `x` and `y`.
    public var count: Int { min(x.count, y.count) }

    /// The error half-length at `i`, if a bar should be drawn there.
    func error(at i: Int) -> Double? {
        guard let errors, i < errors.count, errors[i].isFinite, errors[i] > 0 else { return nil }
        return errors[i]
    }
}
