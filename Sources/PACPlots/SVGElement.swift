/// One drawable node of an `SVGDocument`. Coordinates are SVG user units (y grows downwards).
public indirect enum SVGElement: Sendable, Equatable {
    /// A straight segment.
    case line(from: SVGPoint, to: SVGPoint, style: SVGStyle)
    /// An open path through the points (drawn unfilled unless the style sets a fill).
    case polyline([SVGPoint], style: SVGStyle)
    /// A closed shape through the points.
    case polygon([SVGPoint], style: SVGStyle)
    /// An axis-aligned rectangle.
    case rect(SVGRect, style: SVGStyle)
    /// A circle.
    case circle(center: SVGPoint, radius: Double, style: SVGStyle)
    /// A single line of text; the content is escaped on rendering.
    case text(String, at: SVGPoint, style: SVGTextStyle)
    /// Elements sharing a style, optionally clipped to a rectangle.
    case group([SVGElement], style: SVGStyle = SVGStyle(), clip: SVGRect? = nil)
}

extension SVGElement {
    /// Appends this element's markup to `out`; `nextClipID` numbers clip paths uniquely
    /// within one document.
    func render(into out: inout String, indent: String, nextClipID: inout Int) {
        let n = SVGFormat.number
        switch self {
        case let .line(a, b, style):
            out += "\(indent)<line x1=\"\(n(a.x))\" y1=\"\(n(a.y))\" x2=\"\(n(b.x))\" y2=\"\(n(b.y))\"\(style.attributes(defaultFillNone: true))/>\n"
        case let .polyline(points, style):
            out += "\(indent)<polyline points=\"\(Self.pointList(points))\"\(style.attributes(defaultFillNone: true))/>\n"
        case let .polygon(points, style):
            out += "\(indent)<polygon points=\"\(Self.pointList(points))\"\(style.attributes())/>\n"
        case let .rect(r, style):
            out += "\(indent)<rect x=\"\(n(r.x))\" y=\"\(n(r.y))\" width=\"\(n(max(r.width, 0)))\" height=\"\(n(max(r.height, 0)))\"\(style.attributes())/>\n"
        case let .circle(c, radius, style):
            out += "\(indent)<circle cx=\"\(n(c.x))\" cy=\"\(n(c.y))\" r=\"\(n(max(radius, 0)))\"\(style.attributes())/>\n"
        case let .text(content, p, style):
            var attributes = "x=\"\(n(p.x))\" y=\"\(n(p.y))\" font-size=\"\(n(style.fontSize))\""
            if style.anchor != .start { attributes += " text-anchor=\"\(style.anchor.rawValue)\"" }
            if style.bold { attributes += " font-weight=\"bold\"" }
            attributes += " fill=\"\(SVGFormat.escape(style.fill))\""
            if style.rotation.isFinite, style.rotation != 0 {
                attributes += " transform=\"rotate(\(n(style.rotation)) \(n(p.x)) \(n(p.y)))\""
            }
            out += "\(indent)<text \(attributes)>\(SVGFormat.escape(content))</text>\n"
        case let .group(children, style, clip):
            var attributes = style.attributes()
            if let clip {
                let id = "clip\(nextClipID)"
                nextClipID += 1
                out += "\(indent)<clipPath id=\"\(id)\"><rect x=\"\(n(clip.x))\" y=\"\(n(clip.y))\" width=\"\(n(max(clip.width, 0)))\" height=\"\(n(max(clip.height, 0)))\"/></clipPath>\n"
                attributes += " clip-path=\"url(#\(id))\""
            }
            out += "\(indent)<g\(attributes)>\n"
            for child in children { child.render(into: &out, indent: indent + "  ", nextClipID: &nextClipID) }
            out += "\(indent)</g>\n"
        }
    }

    private static func pointList(_ points: [SVGPoint]) -> String {
        points.map { "\(SVGFormat.number($0.x)),\(SVGFormat.number($0.y))" }.joined(separator: " ")
    }
}
