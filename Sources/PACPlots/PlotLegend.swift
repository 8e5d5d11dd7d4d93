/// A legend: one line sample (with marker) and name per entry, in a white box.
struct PlotLegend: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var color: String
        var dash: LineDash
        var marker: PlotMarker
        var lineWidth: Double
    }

    var entries: [Entry]
    var fontSize: Double = PlotFonts.legend

    static let sampleWidth = 26.0
    static let padding = 6.0
    var rowHeight: Double { fontSize + 6 }

    /// Size of the stacked (one entry per row) legend box.
    var size: (width: Double, height: Double) {
        let text = entries.map { TextMetrics.width($0.name, fontSize: fontSize) }.max() ?? 0
        return (2 * Self.padding + Self.sampleWidth + 6 + text, 2 * Self.padding + Double(entries.count) * rowHeight - 2)
    }

    /// The stacked legend with its top-left corner at `origin`.
    func elements(at origin: SVGPoint) -> [SVGElement] {
        let (w, h) = size
        var out: [SVGElement] = [.rect(SVGRect(x: origin.x, y: origin.y, width: w, height: h),
                                       style: SVGStyle(fill: "white", stroke: "#BBBBBB", strokeWidth: 0.8, opacity: 0.92))]
        for (i, entry) in entries.enumerated() {
            let midY = origin.y + Self.padding + (Double(i) + 0.5) * rowHeight - 1
            out += sample(entry, x: origin.x + Self.padding, midY: midY)
        }
        return out
    }

    /// Entries laid out in rows across `width`, centred; returns the elements and the height used.
    func rowElements(centeredAt midX: Double, top: Double, width: Double) -> (elements: [SVGElement], height: Double) {
        let gap = 16.0
        let widths = entries.map { Self.sampleWidth + 6 + TextMetrics.width($0.name, fontSize: fontSize) }
        var rows: [[Int]] = [[]]
        var used = 0.0
        for (i, w) in widths.enumerated() {
            if !rows[rows.count - 1].isEmpty, used + gap + w > width {
                rows.append([])
                used = 0
            }
            used += (rows[rows.count - 1].isEmpty ? 0 : gap) + w
            rows[rows.count - 1].append(i)
        }
        var out: [SVGElement] = []
        for (r, row) in rows.enumerated() {
            let rowWidth = row.map { widths[$0] }.reduce(0, +) + gap * Double(max(row.count - 1, 0))
            var x = midX - rowWidth / 2
            let midY = top + (Double(r) + 0.5) * rowHeight
            for i in row {
                out += sample(entries[i], x: x, midY: midY)
                x += widths[i] + gap
            }
        }
        return (out, Double(rows.count) * rowHeight)
    }

    private func sample(_ entry: Entry, x: Double, midY: Double) -> [SVGElement] {
        var out: [SVGElement] = []
        if entry.dash != .none {
            out.append(.line(from: SVGPoint(x: x, y: midY), to: SVGPoint(x: x + Self.sampleWidth, y: midY),
                             style: SVGStyle(stroke: entry.color, strokeWidth: entry.lineWidth,
                                             dashArray: entry.dash.dashArray(width: entry.lineWidth),
                                             lineCap: entry.dash.lineCap)))
        }
        out += entry.marker.elements(at: SVGPoint(x: x + Self.sampleWidth / 2, y: midY), size: 3.5, color: entry.color)
        out.append(.text(entry.name, at: SVGPoint(x: x + Self.sampleWidth + 6, y: midY + fontSize * 0.35),
                         style: SVGTextStyle(fontSize: fontSize, fill: PlotFonts.textColor)))
        return out
    }
}
