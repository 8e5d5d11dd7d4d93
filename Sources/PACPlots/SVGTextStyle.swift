/// Horizontal alignment of text relative to its anchor point (`text-anchor`).
public enum SVGTextAnchor: String, Sendable, Equatable {
    /// The text starts at the anchor point.
    case start
    /// The text is centred on the anchor point.
    case middle
    /// The text ends at the anchor point.
    case end
}

/// How a text element is drawn. The anchor point is on the text's baseline.
public struct SVGTextStyle: Sendable, Equatable {
    /// Font size in user units.
    public var fontSize: Double
    /// Horizontal alignment relative to the anchor point.
    public var anchor: SVGTextAnchor
    /// Clockwise rotation in degrees about the anchor point (`-90` reads bottom to top).
    public var rotation: Double
    /// Text colour.
    public var fill: String
    /// Bold weight.
    public var bold: Bool

    /// A text style; the defaults give 12-pixel dark-grey start-anchored text.
    public init(fontSize: Double = 12, anchor: SVGTextAnchor = .start, rotation: Double = 0,
                fill: String = "#222222", bold: Bool = false) {
        self.fontSize = fontSize
        self.anchor = anchor
        self.rotation = rotation
        self.fill = fill
        self.bold = bold
    }
}
