import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import PACPlots

/// An SVG string parsed with Foundation's `XMLParser`: every element with its attributes, and
/// the text content of each `<text>` element (entities decoded).
struct ParsedSVG {
    struct Element {
        var name: String
        var attributes: [String: String]
    }

    let parsed: Bool
    let errorDescription: String?
    let elements: [Element]
    let texts: [String]

    init(_ svg: String) {
        let delegate = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        parsed = parser.parse()
        errorDescription = parser.parserError.map { "\($0)" }
        elements = delegate.elements
        texts = delegate.texts
    }

    /// Elements named `name`.
    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// The root element's name.
    var rootName: String? { elements.first?.name }

    /// The plot area: the unfilled rectangle stroked in the axis colour.
    var plotAreas: [SVGRect] {
        all("rect").filter { $0.attributes["fill"] == "none" && $0.attributes["stroke"] == "#333333" && $0.attributes["stroke-width"] == "1" }
            .map { $0.rect }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var texts: [String] = []
        private var currentText: String?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append(Element(name: elementName, attributes: attributeDict))
            if elementName == "text" { currentText = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            currentText? += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if elementName == "text", let text = currentText {
                texts.append(text)
                currentText = nil
            }
        }
    }
}

extension ParsedSVG.Element {
    func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }

    var rect: SVGRect { SVGRect(x: number("x"), y: number("y"), width: number("width"), height: number("height")) }

    /// The `points` of a polyline or polygon.
    var points: [SVGPoint] {
        (attributes["points"] ?? "").split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0) ?? .nan }
            return SVGPoint(x: xy[0], y: xy[1])
        }
    }
}

/// Whether `svg` contains none of the textual forms of non-finite numbers.
func isFreeOfNonFiniteNumbers(_ svg: String) -> Bool {
    let lower = svg.lowercased()
    return !lower.contains("nan") && !lower.contains("inf")
}
