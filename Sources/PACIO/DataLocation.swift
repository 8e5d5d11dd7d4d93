/// Where in an input file a value-level problem was found.
///
/// Formats like a compiler diagnostic: `data.csv:7:3 (column 'x2')`, `data.csv (column 'y')`,
/// `labels.npy (element [4])`. Lines and columns are 1-based; `column` is the field number in
/// the row (not a character offset), `element` a 0-based index into an array file.
public struct DataLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file, as the user named it.
    public var path: String
    /// The 1-based line in a text file.
    public var line: Int?
    /// The 1-based field number within the row (only shown together with `line`).
    public var column: Int?
    /// The name of the column, from the header row.
    public var columnName: String?
    /// The 0-based multi-index of an element in an array file; `[]` for a scalar.
    public var element: [Int]?

    /// Creates a location; omit what does not apply.
    public init(path: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
                element: [Int]? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.columnName = columnName
        self.element = element
    }

    public var description: String {
        var text = path
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let columnName { text += " (column '\(columnName)')" }
        // A scalar has only one element, so naming it adds nothing.
        if let element, !element.isEmpty {
            text += " (element [\(element.map(String.init).joined(separator: ", "))])"
        }
        return text
    }
}
