import Foundation
import PACEngine

/// A numeric table read from a CSV file with a header row.
///
/// Format: comma-separated; fields may be wrapped in double quotes (`""` inside quotes is a
/// literal quote, and quotes may span lines); LF or CRLF line endings; a UTF-8 byte-order mark,
/// a trailing newline and blank lines at the end are ignored. Every cell of a column that is read
/// must be a finite decimal number (`1`, `-2.5`, `1e-3`, `+3`, surrounding spaces allowed);
/// anything else is a `DataError` naming the file, line, field number and column, raised when
/// that column is read, so unused columns (ids, names) may hold text.
public struct CSVTable: Sendable {
    /// The file the table came from, as used in error messages.
    public let path: String
    /// The header names, in file order.
    public let columns: [String]
    /// The number of data rows.
    public var rowCount: Int { rowLines.count }

    /// Cell values, row-major: row `r`, column `c` is at `r * columns.count + c`.
    let values: [Double]
    /// The 1-based file line each data row starts on (quoted fields may span lines).
    let rowLines: [Int]
    let columnIndex: [String: Int]
    /// Cells that are not finite numbers, by flat index, with the error to report.
    let problems: [Int: DataError]

    init(path: String, columns: [String], values: [Double], rowLines: [Int], problems: [Int: DataError] = [:]) {
        self.path = path
        self.columns = columns
        self.values = values
        self.rowLines = rowLines
        self.columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        self.problems = problems
    }

    /// Throws the first (in file order) problem cell among the given column indices.
    private func checkNumeric(_ indices: [Int]) throws(DataError) {
        guard !problems.isEmpty else { return }
        let width = columns.count
        let wanted = Set(indices)
        if let first = problems.keys.filter({ wanted.contains($0 % width) }).min() { throw problems[first]! }
    }

    /// Reads and parses the CSV file at `path`.
    public static func read(path: String) throws(DataError) -> CSVTable {
        let data = try DataFileReader.contents(atPath: path)
        let result = data.withUnsafeBytes { raw in
            Result { () throws(DataError) in
                try CSVParser.parse(raw.bindMemory(to: UInt8.self), path: path)
            }
        }
        return try result.get()
    }

    /// Parses CSV `text`; `path` only names the source in error messages.
    public static func parse(_ text: String, path: String) throws(DataError) -> CSVTable {
        var text = text
        let result = text.withUTF8 { bytes in
            Result { () throws(DataError) in try CSVParser.parse(bytes, path: path) }
        }
        return try result.get()
    }

    /// The values of the column named `name`, one per row.
    public func column(_ name: String) throws(DataError) -> [Double] {
        let c = try index(of: name)
        try checkNumeric([c])
        let width = columns.count
        return (0..<rowCount).map { values[$0 * width + c] }
    }

    /// The named columns as a `[rowCount, columns.count]` Float32 matrix, in the order given.
    ///
    /// Throws `outOfFloat32Range` for a value too large for Float32, which would otherwise
    /// silently become infinity.
    public func matrix(columns names: [String]) throws(DataError) -> Tensor {
        var sources: [Int] = []
        for name in names { sources.append(try index(of: name)) }
        try checkNumeric(sources)
        let width = columns.count, rows = rowCount
        // Validate first so the tensor can be filled in place without a way to fail.
        for row in 0..<rows {
            for c in sources where Float(values[row * width + c]).isInfinite {
                throw .outOfFloat32Range(location(row: row, column: c), value: values[row * width + c])
            }
        }
        return Tensor(shape: [rows, sources.count], uninitialized: { out in
            var k = 0
            for row in 0..<rows {
                for c in sources {
                    out[k] = Float(values[row * width + c])
                    k += 1
                }
            }
        })
    }

    /// Every column as a matrix (checks that the whole table is numeric).
    public func matrix() throws(DataError) -> Tensor { try matrix(columns: columns) }

    /// The column named `name` as integer class labels.
    ///
    /// Throws `nonIntegerLabel` at the first value with a fractional part (or out of `Int` range).
    public func classLabels(_ name: String) throws(DataError) -> [Int] {
        let c = try index(of: name)
        try checkNumeric([c])
        let width = columns.count
        var labels: [Int] = []
        labels.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            let value = values[row * width + c]
            guard let label = Int(exactly: value) else {
                throw .nonIntegerLabel(location(row: row, column: c), value: value)
            }
            labels.append(label)
        }
        return labels
    }

    /// The file line (1-based) that 0-based data row `row` starts on.
    public func line(ofRow row: Int) -> Int { rowLines[row] }

    /// The location of a cell, for error messages about values this table supplied.
    public func location(row: Int, column name: String) throws(DataError) -> DataLocation {
        location(row: row, column: try index(of: name))
    }

    private func location(row: Int, column c: Int) -> DataLocation {
        DataLocation(path: path, line: rowLines[row], column: c + 1, columnName: columns[c])
    }

    private func index(of name: String) throws(DataError) -> Int {
        guard let c = columnIndex[name] else {
            throw .unknownColumn(path: path, name: name, available: columns)
        }
        return c
    }
}
