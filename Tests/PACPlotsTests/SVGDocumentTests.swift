@testable import PACPlots
import Testing

/// `SVGDocument`: a well-formed standalone SVG 1.1 document, escaping and number formatting.
struct SVGDocumentTests {
    @Test func rendersAStandaloneSVGDocument() {
        var doc = SVGDocument(width: 200, height: 100, title: "demo")
        doc.append(.line(from: SVGPoint(x: 0, y: 0), to: SVGPoint(x: 10, y: 10), style: SVGStyle(stroke: "black")))
        doc.append(.polyline([SVGPoint(x: 1, y: 2), SVGPoint(x: 3.456, y: 4)], style: SVGStyle(stroke: "red", dashArray: [4, 2])))
        doc.append(.rect(SVGRect(x: 1, y: 1, width: 5, height: 5), style: SVGStyle(fill: "blue")))
        doc.append(.circle(center: SVGPoint(x: 5, y: 5), radius: 2, style: SVGStyle(fill: "green")))
        doc.append(.group([.text("hi", at: SVGPoint(x: 5, y: 5), style: SVGTextStyle())], style: SVGStyle(opacity: 0.5)))
        let svg = doc.render()
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\""))
        #expect(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("version=\"1.1\""))
        #expect(svg.contains("viewBox=\"0 0 200 100\""))
        #expect(svg.contains("points=\"1,2 3.46,4\""))
        #expect(svg.contains("stroke-dasharray=\"4 2\""))
        let parsed = ParsedSVG(svg)
        #expect(parsed.parsed, "\(parsed.errorDescription ?? "")")
        #expect(parsed.rootName == "svg")
        #expect(parsed.all("polyline").first?.attributes["fill"] == "none")
        #expect(parsed.all("title").count == 1)
    }

    @Test func escapesTextAndAttributes() {
        let raw = "a < b & c > \"d\" 'e'\u{1}"
        let doc = SVGDocument(width: 10, height: 10, elements: [
            .text(raw, at: SVGPoint(x: 0, y: 0), style: SVGTextStyle(fill: "#000\"")),
        ])
        let svg = doc.render()
        #expect(svg.contains("a &lt; b &amp; c &gt; &quot;d&quot; &apos;e&apos;</text>"))
        #expect(svg.contains("fill=\"#000&quot;\""))
        let parsed = ParsedSVG(svg)
        #expect(parsed.parsed)
        #expect(parsed.texts == ["a < b & c > \"d\" 'e'"])
    }

    @Test func formatsNumbersCompactly() {
        #expect(SVGFormat.number(2) == "2")
        #expect(SVGFormat.number(1.234) == "1.23")
        #expect(SVGFormat.number(0.5) == "0.5")
        #expect(SVGFormat.number(0.05) == "0.05")
        #expect(SVGFormat.number(-12.3456) == "-12.35")
        #expect(SVGFormat.number(-0.001) == "0")
        #expect(SVGFormat.number(.nan) == "0")
        #expect(SVGFormat.number(.infinity) == "0")
        #expect(SVGFormat.number(-.infinity) == "0")
    }

    @Test func rotatedTextAndAnchors() {
        let doc = SVGDocument(width: 10, height: 10, elements: [
            .text("y", at: SVGPoint(x: 3, y: 4), style: SVGTextStyle(anchor: .middle, rotation: -90)),
        ])
        let text = ParsedSVG(doc.render()).all("text")[0]
        #expect(text.attributes["transform"] == "rotate(-90 3 4)")
        #expect(text.attributes["text-anchor"] == "middle")
    }

    @Test func clipPathsHaveUniqueIDs() {
        let clip = SVGRect(x: 0, y: 0, width: 5, height: 5)
        let doc = SVGDocument(width: 10, height: 10, elements: [
            .group([], clip: clip), .group([.group([], clip: clip)], clip: clip),
        ])
        let parsed = ParsedSVG(doc.render())
        #expect(parsed.parsed)
        #expect(parsed.all("clipPath").compactMap { $0.attributes["id"] } == ["clip0", "clip1", "clip2"])
    }

    @Test func nonFiniteGeometryRendersAsZero() {
        let doc = SVGDocument(width: .nan, height: 10, elements: [
            .circle(center: SVGPoint(x: .infinity, y: .nan), radius: -.infinity, style: SVGStyle(fill: "red")),
        ])
        let svg = doc.render()
        #expect(isFreeOfNonFiniteNumbers(svg))
        #expect(ParsedSVG(svg).parsed)
    }
}
