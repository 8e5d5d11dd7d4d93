/// The single-pass CSV scanner behind `CSVTable`.
///
/// It walks UTF-8 bytes by offset (no `String` indexing, no per-cell allocation), recording each
/// field of a row as a byte range, then converts the cells with `DecimalNumber`. A row's fields
/// are all scanned before any is converted so a ragged row is reported as such rather than as
/// whatever bad cell happens to come first.
struct CSVParser {
    private static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    /// One field of the current row: its content's byte range (inside the quotes, if quoted).
    private struct Field {
        var start: Int
        var end: Int
        /// The content contains `""` escapes that must be collapsed to read it as text.
        var escaped: Bool
        var line: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let path: String
    private var offset = 0
    private var line = 1
    private var fields: [Field] = []

    private init(bytes: UnsafeBufferPointer<UInt8>, path: String) {
        self.bytes = bytes
        self.path = path
        // Spreadsheet programs often start UTF-8 CSV files with a byte-order mark.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { offset = 3 }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws(DataError) -> CSVTable {
        var parser = CSVParser(bytes: bytes, path: path)
        return try parser.parseTable()
    }

    private mutating func parseTable() throws(DataError) -> CSVTable {
        if bytes[offset...].allSatisfy({ $0 == Self.space || $0 == Self.tab || $0 == Self.cr || $0 == Self.lf }) {
            throw .emptyFile(path: path)
        }
        try scanRow()
        let columns = try headerNames()
        let width = columns.count

        var values: [Double] = []
        var rowLines: [Int] = []
        // Cell problems are recorded, not thrown: a column that is never used (an id, a name)
        // may hold anything. They are reported when a column holding one is read.
        var problems: [Int: DataError] = [:]
        // Blank lines are fine at the end of the file but not between rows.
        var firstBlankLine: Int?
        while offset < bytes.count {
            let rowLine = line
            if skipBlankLine() {
                if firstBlankLine == nil { firstBlankLine = rowLine }
                continue
            }
            if let blank = firstBlankLine {
                throw .raggedRow(path: path, line: blank, fields: 0, expected: width)
            }
            try scanRow()
            if fields.count != width {
                throw .raggedRow(path: path, line: rowLine, fields: fields.count, expected: width)
            }
            for (c, field) in fields.enumerated() {
                let cell = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
                switch DecimalNumber.parse(cell) {
                case .value(let value):
                    values.append(value)
                case .notANumber:
                    problems[values.count] = .notANumber(location(field, c, columns), text: text(of: field))
                    values.append(.nan)
                case .nan:
                    problems[values.count] = .nanValue(location(field, c, columns))
                    values.append(.nan)
                case .infinite:
                    problems[values.count] = .infiniteValue(location(field, c, columns))
                    values.append(.nan)
                }
            }
            rowLines.append(rowLine)
        }
        if rowLines.isEmpty { throw .noDataRows(path: path) }
        return CSVTable(path: path, columns: columns, values: values, rowLines: rowLines, problems: problems)
    }

    /// The header row's fields as names: unquoted names are trimmed, quoted ones kept verbatim.
    private func headerNames() throws(DataError) -> [String] {
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (c, field) in fields.enumerated() {
            let name = text(of: field)
            if name.isEmpty { throw .emptyColumnName(path: path, column: c + 1) }
            if let first = seen[name] {
                throw .duplicateColumn(path: path, column: c + 1, name: name, firstColumn: first + 1)
            }
            seen[name] = c
            names.append(name)
        }
        return names
    }

    private func location(_ field: Field, _ c: Int, _ columns: [String]) -> DataLocation {
        DataLocation(path: path, line: field.line, column: c + 1, columnName: columns[c])
    }

    /// A field's content as text, with `""` escapes collapsed (used for names and messages).
    private func text(of field: Field) -> String {
        let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]), as: UTF8.self)
        return field.escaped ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
    }

    /// If the line at `offset` holds only spaces/tabs, consumes it (and its line ending).
    private mutating func skipBlankLine() -> Bool {
        var i = offset
        while i < bytes.count && (bytes[i] == Self.space || bytes[i] == Self.tab) { i += 1 }
        if i < bytes.count && bytes[i] != Self.cr && bytes[i] != Self.lf { return false }
        offset = i
        consumeLineEnding()
        return true
    }

    /// Consumes LF, CRLF or a lone CR at `offset`, if there is one, and counts the line.
    private mutating func consumeLineEnding() {
        guard offset < bytes.count else { return }
        let c = bytes[offset]
        guard c == Self.cr || c == Self.lf else { return }
        offset += 1
        if c == Self.cr && offset < bytes.count && bytes[offset] == Self.lf { offset += 1 }
        line += 1
    }

    /// Scans one row starting at `offset` into `fields`, leaving `offset` at the next row.
    private mutating func scanRow() throws(DataError) {
        fields.removeAll(keepingCapacity: true)
        let count = bytes.count
        while true {
            var i = offset
            while i < count && (bytes[i] == Self.space || bytes[i] == Self.tab) { i += 1 }
            if i < count && bytes[i] == Self.quote {
                let fieldLine = line
                var k = i + 1
                var escaped = false
                while true {
                    guard k < count else {
                        throw .unterminatedQuote(path: path, line: fieldLine, column: fields.count + 1)
                    }
                    let c = bytes[k]
                    if c == Self.quote {
                        if k + 1 < count && bytes[k + 1] == Self.quote {
                            escaped = true
                            k += 2
                            continue
                        }
                        break
                    }
                    // Line breaks inside quotes are data, but still advance the file's line count.
                    if c == Self.lf || (c == Self.cr && !(k + 1 < count && bytes[k + 1] == Self.lf)) { line += 1 }
                    k += 1
                }
                fields.append(Field(start: i + 1, end: k, escaped: escaped, line: fieldLine))
                k += 1
                while k < count && (bytes[k] == Self.space || bytes[k] == Self.tab) { k += 1 }
                if k < count && bytes[k] != Self.comma && bytes[k] != Self.cr && bytes[k] != Self.lf {
                    throw .textAfterQuote(path: path, line: line, column: fields.count)
                }
                offset = k
            } else {
                var k = i
                while k < count {
                    let c = bytes[k]
                    if c == Self.comma || c == Self.cr || c == Self.lf { break }
                    k += 1
                }
                var end = k
                while end > i && (bytes[end - 1] == Self.space || bytes[end - 1] == Self.tab) { end -= 1 }
                fields.append(Field(start: i, end: end, escaped: false, line: line))
                offset = k
            }
            if offset < count && bytes[offset] == Self.comma {
                offset += 1
                continue
            }
            consumeLineEnding()
            return
        }
    }
}
