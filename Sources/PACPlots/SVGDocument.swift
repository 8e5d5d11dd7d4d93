/// A standalone SVG 1.1 document: a canvas of `width` × `height` user units (pixels) holding
/// `elements` in drawing order.
///
/// ```swift
/// var doc = SVGDocument(width: 200, height: 100)
/// doc.append(.text("a < b", at: SVGPoint(x: 100, y: 50), style: SVGTextStyle(anchor: .middle)))
/// let markup = doc.render()
/// ```
public struct SVGDocument: Sendable, Equatable {
    /// Canvas width in user units.
    public var width: Double
    /// Canvas height in user units.
    public var height: Double
    /// Elements in drawing order (later ones on top).
    public var elements: [SVGElement]
    /// Colour of a full-canvas rectangle drawn first; `nil` leaves the canvas transparent.
    public var background: String?
    /// Document title (`<title>`), shown by viewers and screen readers; `nil` omits it.
    public var title: String?
    /// The default font family for all text.
    public var fontFamily: String

    /// A document of `width` × `height` user units (pixels).
    public init(width: Double, height: Double, elements: [SVGElement] = [], background: String? = "white",
                title: String? = nil, fontFamily: String = "Helvetica, Arial, DejaVu Sans, sans-serif") {
        self.width = width
        self.height = height
        self.elements = elements
        self.background = background
        self.title = title
        self.fontFamily = fontFamily
    }

    /// Adds an element on top of the existing ones.
    public mutating func append(_ element: SVGElement) {
        elements.append(element)
    }

    /// Adds elements on top of the existing ones, in order.
    public mutating func append(contentsOf newElements: [SVGElement]) {
        elements.append(contentsOf: newElements)
    }

    /// The document as SVG 1.1 markup with an XML declaration, the SVG namespace, `width`,
    /// `height` and a matching `viewBox`. Numbers have at most two decimals and text is
    /// XML-escaped; non-finite coordinates are written as `0`.
    public func render() -> String {
        let w = SVGFormat.number(max(width, 0)), h = SVGFormat.number(max(height, 0))
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"\(SVGFormat.escape(fontFamily))\">\n"
        if let title { out += "  <title>\(SVGFormat.escape(title))</title>\n" }
        if let background { out += "  <rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"\(SVGFormat.escape(background))\"/>\n" }
        var nextClipID = 0
        for element in elements { element.render(into: &out, indent: "  ", nextClipID: &nextClipID) }
        out += "</svg>\n"
        return out
    }
}
