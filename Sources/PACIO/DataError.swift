/// A problem with an input data file or an output path, reported as one line that names the
/// file and, where it applies, the line and column: `data.csv:5: row has 3 fields, expected 4`.
///
/// Cases carry exactly what the message shows, so tests (and callers) can match them with `==`.
/// Lines and field columns are 1-based; line 1 is a CSV file's header row.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Reading files

    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but cannot be read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// The file has no content (or only blank lines).
    case emptyFile(path: String)

    // MARK: CSV structure

    /// A CSV file has a header row but no data rows.
    case noDataRows(path: String)
    /// A data row's field count differs from the header's; `fields == 0` is a blank line
    /// followed by more data.
    case raggedRow(path: String, line: Int, fields: Int, expected: Int)
    /// A field opens a double quote that is never closed.
    case unterminatedQuote(path: String, line: Int, column: Int)
    /// Something other than a comma or the end of the line follows a closing quote.
    case textAfterQuote(path: String, line: Int, column: Int)
    /// A header field is empty.
    case emptyColumnName(path: String, column: Int)
    /// Two header fields have the same name; `firstColumn` is where it first appeared.
    case duplicateColumn(path: String, column: Int, name: String, firstColumn: Int)
    /// A column was asked for by a name the header does not have.
    case unknownColumn(path: String, name: String, available: [String])

    // MARK: Values

    /// A cell that should hold a number does not; `text` is the cell as written ("" if empty).
    case notANumber(DataLocation, text: String)
    /// A value is NaN.
    case nanValue(DataLocation)
    /// A value is infinite (written as inf/infinity, or too large for a Double).
    case infiniteValue(DataLocation)
    /// A finite Double that has no finite Float32 equivalent.
    case outOfFloat32Range(DataLocation, value: Double)
    /// A class label that is not an integer.
    case nonIntegerLabel(DataLocation, value: Double)
    /// Every target value is the same, so there is nothing to learn.
    case constantTarget(DataLocation, value: Double)

    // MARK: NPY format

    /// The file does not start with the NumPy magic string `\x93NUMPY`.
    case npyBadMagic(path: String)
    /// An .npy format version other than 1.0, 2.0 or 3.0.
    case npyUnsupportedVersion(path: String, major: Int, minor: Int)
    /// The header dictionary could not be understood.
    case npyBadHeader(path: String, reason: String)
    /// The array is stored in Fortran (column-major) order.
    case npyFortranOrder(path: String)
    /// The element type is not one this reader converts.
    case npyUnsupportedDType(path: String, dtype: String)
    /// The element type is readable but not what the array's role needs; `expected` describes it.
    case unexpectedDType(path: String, dtype: String, expected: String)
    /// The data is shorter than the header's shape and dtype require.
    case npyTruncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// Bytes follow the data the header's shape and dtype describe.
    case npyTrailingBytes(path: String, expectedBytes: Int, actualBytes: Int)

    // MARK: Shapes across files

    /// Two files that must describe the same samples have different row counts.
    case shapeMismatch(path: String, rows: Int, otherPath: String, otherRows: Int)
    /// An array's shape is not what its role needs; `expected` describes it ("a 2-D array").
    case unexpectedShape(path: String, shape: [Int], expected: String)

    // MARK: Writing files

    /// The output file exists and overwriting was not requested.
    case outputExists(path: String)
    /// Writing the output failed; nothing was left behind.
    case writeFailed(path: String, reason: String)
    /// The output path cannot take a file: a folder, a FIFO, a missing or read-only folder, ...
    case unsuitableOutput(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .emptyFile(let path):
            return "\(path): file is empty"
        case .noDataRows(let path):
            return "\(path): header only, no data rows"
        case .raggedRow(let path, let line, let fields, let expected):
            let wanted = "\(expected) \(expected == 1 ? "field" : "fields")"
            if fields == 0 { return "\(path):\(line): row is blank, expected \(wanted)" }
            return "\(path):\(line): row has \(fields) \(fields == 1 ? "field" : "fields"), expected \(expected)"
        case .unterminatedQuote(let path, let line, let column):
            return "\(path):\(line):\(column): quoted field is never closed"
        case .textAfterQuote(let path, let line, let column):
            return "\(path):\(line):\(column): unexpected text after closing quote"
        case .emptyColumnName(let path, let column):
            return "\(path):1:\(column): column name is empty"
        case .duplicateColumn(let path, let column, let name, let firstColumn):
            return "\(path):1:\(column): duplicate column name '\(name)' (first in column \(firstColumn))"
        case .unknownColumn(let path, let name, let available):
            let names = available.map { "'\($0)'" }.joined(separator: ", ")
            return "\(path): no column named '\(name)' (available: \(names))"
        case .notANumber(let location, let text):
            if text.isEmpty { return "\(location): cell is empty, expected a number" }
            return "\(location): '\(text)' is not a number"
        case .nanValue(let location):
            return "\(location): value is NaN"
        case .infiniteValue(let location):
            return "\(location): value is infinite"
        case .outOfFloat32Range(let location, let value):
            return "\(location): \(value) is too large for Float32"
        case .nonIntegerLabel(let location, let value):
            return "\(location): class label \(value) is not an integer"
        case .constantTarget(let location, let value):
            return "\(location): target is constant (every value is \(value)); nothing to learn"
        case .npyBadMagic(let path):
            return "\(path): not a NumPy .npy file (bad magic bytes)"
        case .npyUnsupportedVersion(let path, let major, let minor):
            return "\(path): unsupported .npy format version \(major).\(minor)"
        case .npyBadHeader(let path, let reason):
            return "\(path): malformed .npy header: \(reason)"
        case .npyFortranOrder(let path):
            return "\(path): Fortran-order arrays are not supported (save np.ascontiguousarray(a))"
        case .npyUnsupportedDType(let path, let dtype):
            return "\(path): unsupported dtype '\(dtype)'"
        case .unexpectedDType(let path, let dtype, let expected):
            return "\(path): expected \(expected), got dtype \(dtype)"
        case .npyTruncated(let path, let expectedBytes, let actualBytes):
            return "\(path): data is truncated: expected \(expectedBytes) bytes, found \(actualBytes)"
        case .npyTrailingBytes(let path, let expectedBytes, let actualBytes):
            return "\(path): \(actualBytes - expectedBytes) unexpected bytes after the data "
                + "(expected \(expectedBytes) bytes, found \(actualBytes))"
        case .shapeMismatch(let path, let rows, let otherPath, let otherRows):
            return "\(path) has \(rows) rows but \(otherPath) has \(otherRows)"
        case .unexpectedShape(let path, let shape, let expected):
            return "\(path): expected \(expected), got shape \(DataError.pythonShape(shape))"
        case .outputExists(let path):
            return "\(path): output file exists (use --force to overwrite)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .unsuitableOutput(let path, let reason):
            return "\(path): cannot write the output here: \(reason)"
        }
    }

    /// A shape the way NumPy prints it, which is what users of .npy files recognize:
    /// `()`, `(5,)`, `(3, 4)`.
    static func pythonShape(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
