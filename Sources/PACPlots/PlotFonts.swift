/// Font sizes shared by the plot types, in pixels.
enum PlotFonts {
    static let title = 15.0
    static let label = 13.0
    static let tick = 11.0
    static let legend = 11.5
    static let textColor = "#222222"
    static let axisColor = "#333333"
    static let gridColor = "#E3E3E3"
    static let minorGridColor = "#F1F1F1"

    /// A font size no larger than `preferred` (and no smaller than `minimum`) at which `text`
    /// fits in `width`; text still too wide at `minimum` is then `truncated`.
    static func fitting(_ text: String, preferred: Double, width: Double, bold: Bool = false, minimum: Double = 9) -> Double {
        let natural = TextMetrics.width(text, fontSize: preferred, bold: bold)
        guard natural > width, natural > 0 else { return preferred }
        return max(min(minimum, preferred), preferred * width / natural)
    }

    /// `text` shortened with a trailing ellipsis so it fits in `width` at `fontSize`.
    static func truncated(_ text: String, fontSize: Double, width: Double, bold: Bool = false) -> String {
        guard TextMetrics.width(text, fontSize: fontSize, bold: bold) > width else { return text }
        var chars = Array(text)
        while !chars.isEmpty, TextMetrics.width(String(chars) + "…", fontSize: fontSize, bold: bold) > width { chars.removeLast() }
        return String(chars) + "…"
    }
}
