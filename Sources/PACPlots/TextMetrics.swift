/// Rough text widths for layout without a font engine. The per-character advances are close
/// to DejaVu Sans (wider than Helvetica/Arial), so estimates err on the side of more room.
enum TextMetrics {
    /// Estimated advance width of `text` at `fontSize`, in user units (bold about 10% wider).
    static func width(_ text: String, fontSize: Double, bold: Bool = false) -> Double {
        var ems = 0.0
        for ch in text {
            switch ch {
            case "i", "j", "l", "'", "|", ".", ",", ":", ";", "!", "I": ems += 0.30
            case " ", "f", "t", "r", "(", ")", "[", "]", "{", "}", "/", "\\", "-": ems += 0.38
            case "m", "w", "M", "W", "@", "%": ems += 0.90
            case "0"..."9", "+", "=", "<", ">", "±", "×", "−", "_", "~", "#", "$", "^", "*": ems += 0.64
            default:
                if ch.isUppercase { ems += 0.72 } else { ems += 0.60 }
            }
        }
        return ems * fontSize * (bold ? 1.1 : 1)
    }
}
