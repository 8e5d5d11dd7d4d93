/// Several plots laid out row by row in one SVG (small multiples), each with its own title:
/// e.g. Burgers u(x, t) snapshots with truth / PAC-Net / fine-tune curves per time slice, or
/// truth / method / error heatmaps side by side.
///
/// With `sharedLegend`, the line plots draw no legends of their own and one legend of all
/// their named series (first occurrence of each name) runs along the bottom.
public struct PlotGrid: Sendable, Equatable {
    /// Overall title above the grid; empty for none.
    public var title: String
    /// Panels per row (at least 1).
    public var columns: Int
    /// The panels, filled row by row; a short last row leaves its remaining cells empty.
    public var panels: [PlotPanel]
    /// One legend for all line plots, below the grid, instead of one per plot.
    public var sharedLegend: Bool

    /// A grid of `panels`, `columns` per row.
    public init(title: String = "", columns: Int = 2, panels: [PlotPanel], sharedLegend: Bool = false) {
        self.title = title
        self.columns = columns
        self.panels = panels
        self.sharedLegend = sharedLegend
    }

    /// A grid of line plots.
    public init(title: String = "", columns: Int = 2, plots: [LinePlot], sharedLegend: Bool = false) {
        self.init(title: title, columns: columns, panels: plots.map(PlotPanel.line), sharedLegend: sharedLegend)
    }

    /// Number of rows the panels fill (at least 1).
    public var rows: Int {
        let c = max(columns, 1)
        return max((panels.count + c - 1) / c, 1)
    }

    /// The grid as a standalone SVG document string; each cell is `cellWidth` × `cellHeight`.
    public func svg(cellWidth: Double = 360, cellHeight: Double = 280) -> String {
        document(cellWidth: cellWidth, cellHeight: cellHeight).render()
    }

    /// The grid as an `SVGDocument`: `columns × cellWidth` wide, and as high as the title,
    /// `rows × cellHeight` and the shared legend need.
    public func document(cellWidth: Double = 360, cellHeight: Double = 280) -> SVGDocument {
        let c = max(columns, 1)
        let width = Double(c) * cellWidth
        let titleSize = PlotFonts.fitting(title, preferred: 17, width: width - 8, bold: true, minimum: 12)
        let top = title.isEmpty ? 0 : titleSize + 14
        var elements: [SVGElement] = []
        if !title.isEmpty {
            elements.append(.text(PlotFonts.truncated(title, fontSize: titleSize, width: width - 8, bold: true),
                                  at: SVGPoint(x: width / 2, y: 8 + titleSize * 0.85),
                                  style: SVGTextStyle(fontSize: titleSize, anchor: .middle, fill: PlotFonts.textColor, bold: true)))
        }
        var legendEntries: [PlotLegend.Entry] = []
        for (i, panel) in panels.enumerated() {
            var panel = panel
            if sharedLegend, case .line(var plot) = panel {
                for entry in plot.legendEntries where !legendEntries.contains(where: { $0.name == entry.name }) {
                    legendEntries.append(entry)
                }
                plot.legend = .hidden
                panel = .line(plot)
            }
            let frame = SVGRect(x: Double(i % c) * cellWidth, y: top + Double(i / c) * cellHeight,
                                width: cellWidth, height: cellHeight)
            elements.append(.group(panel.elements(in: frame)))
        }
        var height = top + Double(rows) * cellHeight
        if !legendEntries.isEmpty {
            let legend = PlotLegend(entries: legendEntries)
            let row = legend.rowElements(centeredAt: width / 2, top: height + 2, width: width - 20)
            elements.append(.group(row.elements))
            height += row.height + 10
        }
        return SVGDocument(width: width, height: height, elements: elements, title: title.isEmpty ? nil : title)
    }
}
