/// Presentation attributes of a shape. `nil` leaves an attribute out (SVG's default or the
/// enclosing group's value applies), except that lines and polylines get `fill="none"`.
public struct SVGStyle: Sendable, Equatable {
    /// Fill colour, e.g. `"#0072B2"` or `"none"`.
    public var fill: String?
    /// Stroke colour.
    public var stroke: String?
    /// Stroke width in user units.
    public var strokeWidth: Double?
    /// Dash pattern (`stroke-dasharray`) in user units; `nil` or empty draws a solid stroke.
    public var dashArray: [Double]?
    /// Overall opacity in 0...1.
    public var opacity: Double?
    /// `stroke-linecap` (`butt`, `round`, `square`).
    public var lineCap: String?
    /// `stroke-linejoin` (`miter`, `round`, `bevel`).
    public var lineJoin: String?
    /// Sets `shape-rendering="crispEdges"` (sharp axis lines and heatmap cells).
    public var crispEdges: Bool

    /// A style; unset attributes are left out of the markup.
    public init(fill: String? = nil, stroke: String? = nil, strokeWidth: Double? = nil, dashArray: [Double]? = nil,
                opacity: Double? = nil, lineCap: String? = nil, lineJoin: String? = nil, crispEdges: Bool = false) {
        self.fill = fill
        self.stroke = stroke
        self.strokeWidth = strokeWidth
        self.dashArray = dashArray
        self.opacity = opacity
        self.lineCap = lineCap
        self.lineJoin = lineJoin
        self.crispEdges = crispEdges
    }

    /// The attributes as ` name="value"` pairs (leading space included), `fill="none"` when
    /// `defaultFillNone` and no fill is set.
    func attributes(defaultFillNone: Bool = false) -> String {
        var out = ""
        if let fill { out += " fill=\"\(SVGFormat.escape(fill))\"" } else if defaultFillNone { out += " fill=\"none\"" }
        if let stroke { out += " stroke=\"\(SVGFormat.escape(stroke))\"" }
        if let strokeWidth { out += " stroke-width=\"\(SVGFormat.number(strokeWidth))\"" }
        if let dashArray, !dashArray.isEmpty {
            out += " stroke-dasharray=\"\(dashArray.map(SVGFormat.number).joined(separator: " "))\""
        }
        if let opacity { out += " opacity=\"\(SVGFormat.number(min(max(opacity, 0), 1)))\"" }
        if let lineCap { out += " stroke-linecap=\"\(SVGFormat.escape(lineCap))\"" }
        if let lineJoin { out += " stroke-linejoin=\"\(SVGFormat.escape(lineJoin))\"" }
        if crispEdges { out += " shape-rendering=\"crispEdges\"" }
        return out
    }
}
