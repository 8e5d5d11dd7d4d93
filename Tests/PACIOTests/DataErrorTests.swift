import PACIO
import Testing

@Suite("Data error messages")
struct DataErrorTests {
    @Test func locationsFormatLikeCompilerDiagnostics() {
        #expect(DataLocation(path: "d.csv").description == "d.csv")
        #expect(DataLocation(path: "d.csv", line: 5).description == "d.csv:5")
        #expect(DataLocation(path: "d.csv", line: 7, column: 3, columnName: "x2").description == "d.csv:7:3 (column 'x2')")
        #expect(DataLocation(path: "d.csv", columnName: "y").description == "d.csv (column 'y')")
        #expect(DataLocation(path: "y.npy", element: [4]).description == "y.npy (element [4])")
        #expect(DataLocation(path: "y.npy", element: []).description == "y.npy")
    }

    @Test(arguments: [
        (DataError.fileNotFound(path: "a.csv"), "a.csv: no such file"),
        (.unreadable(path: "a.csv", reason: "Permission denied"), "a.csv: cannot read: Permission denied"),
        (.emptyFile(path: "a.csv"), "a.csv: file is empty"),
        (.noDataRows(path: "a.csv"), "a.csv: header only, no data rows"),
        (.raggedRow(path: "data.csv", line: 5, fields: 3, expected: 4), "data.csv:5: row has 3 fields, expected 4"),
        (.raggedRow(path: "data.csv", line: 5, fields: 0, expected: 4), "data.csv:5: row is blank, expected 4 fields"),
        (.unterminatedQuote(path: "a.csv", line: 2, column: 3), "a.csv:2:3: quoted field is never closed"),
        (.textAfterQuote(path: "a.csv", line: 2, column: 3), "a.csv:2:3: unexpected text after closing quote"),
        (.emptyColumnName(path: "a.csv", column: 2), "a.csv:1:2: column name is empty"),
        (.duplicateColumn(path: "a.csv", column: 4, name: "x", firstColumn: 2), "a.csv:1:4: duplicate column name 'x' (first in column 2)"),
        (.unknownColumn(path: "a.csv", name: "z", available: ["x", "y"]), "a.csv: no column named 'z' (available: 'x', 'y')"),
        (.notANumber(DataLocation(path: "data.csv", line: 7, column: 3, columnName: "x2"), text: "abc"),
         "data.csv:7:3 (column 'x2'): 'abc' is not a number"),
        (.nanValue(DataLocation(path: "data.csv", line: 9, column: 2, columnName: "y")), "data.csv:9:2 (column 'y'): value is NaN"),
        (.infiniteValue(DataLocation(path: "data.csv", line: 9, column: 2, columnName: "y")), "data.csv:9:2 (column 'y'): value is infinite"),
        (.outOfFloat32Range(DataLocation(path: "a.csv", line: 2, column: 1, columnName: "v"), value: 1e300),
         "a.csv:2:1 (column 'v'): 1e+300 is too large for Float32"),
        (.nonIntegerLabel(DataLocation(path: "a.csv", line: 3, column: 2, columnName: "y"), value: 1.5),
         "a.csv:3:2 (column 'y'): class label 1.5 is not an integer"),
        (.constantTarget(DataLocation(path: "a.csv", columnName: "y"), value: 3),
         "a.csv (column 'y'): target is constant (every value is 3.0); nothing to learn"),
        (.constantTarget(DataLocation(path: "targets.npy"), value: -1), "targets.npy: target is constant (every value is -1.0); nothing to learn"),
        (.npyBadMagic(path: "x.npy"), "x.npy: not a NumPy .npy file (bad magic bytes)"),
        (.npyUnsupportedVersion(path: "x.npy", major: 4, minor: 0), "x.npy: unsupported .npy format version 4.0"),
        (.npyBadHeader(path: "x.npy", reason: "missing key 'shape'"), "x.npy: malformed .npy header: missing key 'shape'"),
        (.npyFortranOrder(path: "x.npy"), "x.npy: Fortran-order arrays are not supported (save np.ascontiguousarray(a))"),
        (.npyUnsupportedDType(path: "x.npy", dtype: "<c8"), "x.npy: unsupported dtype '<c8'"),
        (.npyTruncated(path: "x.npy", expectedBytes: 48, actualBytes: 40), "x.npy: data is truncated: expected 48 bytes, found 40"),
        (.npyTrailingBytes(path: "x.npy", expectedBytes: 48, actualBytes: 56), "x.npy: 8 unexpected bytes after the data (expected 48 bytes, found 56)"),
        (.shapeMismatch(path: "features.npy", rows: 100, otherPath: "targets.npy", otherRows: 99),
         "features.npy has 100 rows but targets.npy has 99"),
        (.unexpectedShape(path: "x.npy", shape: [3, 4, 5], expected: "a 2-D array [rows, features]"),
         "x.npy: expected a 2-D array [rows, features], got shape (3, 4, 5)"),
        (.unexpectedShape(path: "y.npy", shape: [7], expected: "a 2-D array"), "y.npy: expected a 2-D array, got shape (7,)"),
        (.unexpectedShape(path: "y.npy", shape: [], expected: "a 1-D array"), "y.npy: expected a 1-D array, got shape ()"),
        (.outputExists(path: "model.safetensors"), "model.safetensors: output file exists (use --force to overwrite)"),
        (.writeFailed(path: "out/m.bin", reason: "No such file or directory"), "out/m.bin: cannot write: No such file or directory"),
    ])
    func messagesAreOneLine(_ error: DataError, _ message: String) {
        #expect(error.description == message)
        #expect(!error.description.contains("\n"))
        #expect("\(error)" == message)
    }

    @Test func casesCompareByEveryField() {
        let location = DataLocation(path: "a.csv", line: 2, column: 1, columnName: "x")
        #expect(DataError.nanValue(location) == .nanValue(location))
        #expect(DataError.nanValue(location) != .infiniteValue(location))
        #expect(DataError.nanValue(location) != .nanValue(DataLocation(path: "a.csv", line: 3, column: 1, columnName: "x")))
        #expect(DataError.raggedRow(path: "a", line: 1, fields: 2, expected: 3) != .raggedRow(path: "a", line: 1, fields: 2, expected: 4))
    }
}
