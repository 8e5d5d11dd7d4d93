/// The symbol drawn at each data point of a series.
public enum PlotMarker: Sendable, Equatable, CaseIterable {
    /// No symbol: the line alone.
    case none
    /// A filled circle.
    case circle
    /// A filled square.
    case square
    /// A filled upward triangle.
    case triangle
    /// A filled diamond.
    case diamond
    /// An × cross.
    case cross

    /// The marker centred at `center` with "radius" `size`, in `color`.
    func elements(at center: SVGPoint, size: Double, color: String) -> [SVGElement] {
        let fill = SVGStyle(fill: color, stroke: "white", strokeWidth: 0.6)
        let (x, y, s) = (center.x, center.y, size)
        switch self {
        case .none:
            return []
        case .circle:
            return [.circle(center: center, radius: s, style: fill)]
        case .square:
            let side = s * 1.75
            return [.rect(SVGRect(x: x - side / 2, y: y - side / 2, width: side, height: side), style: fill)]
        case .triangle:
            let r = s * 1.3
            return [.polygon([SVGPoint(x: x, y: y - r), SVGPoint(x: x + r * 0.866, y: y + r * 0.5),
                              SVGPoint(x: x - r * 0.866, y: y + r * 0.5)], style: fill)]
        case .diamond:
            let r = s * 1.3
            return [.polygon([SVGPoint(x: x, y: y - r), SVGPoint(x: x + r, y: y), SVGPoint(x: x, y: y + r),
                              SVGPoint(x: x - r, y: y)], style: fill)]
        case .cross:
            let r = s
            let stroke = SVGStyle(stroke: color, strokeWidth: 1.6, lineCap: "round")
            return [.line(from: SVGPoint(x: x - r, y: y - r), to: SVGPoint(x: x + r, y: y + r), style: stroke),
                    .line(from: SVGPoint(x: x - r, y: y + r), to: SVGPoint(x: x + r, y: y - r), style: stroke)]
        }
    }
}
