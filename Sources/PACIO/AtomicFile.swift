import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes output files all-or-nothing: readers see either the old file or the complete new one,
/// never a half-written file, and a failed or interrupted write leaves nothing behind.
///
/// The data goes to a uniquely named hidden temporary file in the target's directory (so the
/// final `rename` stays on one file system and is atomic), is flushed to disk, and is then
/// renamed over the target.
///
/// What the output path may be (`destination(of:overwrite:)`, which `write` applies and callers
/// use to check outputs before any work):
/// - a new file in an existing, writable folder, or an existing regular file (with `overwrite`);
/// - a symbolic link to a regular file: the file it points to is replaced atomically and the link
///   is kept (as `sed -i --follow-symlinks` does);
/// - a character device such as `/dev/null` or `/dev/stdout`: written straight through, since
///   there is nothing to replace (`overwrite` is not needed);
/// - anything else (a folder, a FIFO, a socket, a block device, a dangling link, a path in a
///   missing or read-only folder) is refused with a clear error and nothing is written.
public enum AtomicFile {
    /// Where `write` puts the bytes.
    public enum Destination: Equatable, Sendable {
        /// A regular file (new or replaced), written atomically.
        case file(String)
        /// A character device, written straight through.
        case device(String)
    }

    /// Checks that `path` can take an output, without writing anything.
    public static func destination(of path: String, overwrite: Bool) throws(DataError) -> Destination {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            try checkFolder(of: path)
            return .file(path)
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            if !overwrite { throw .outputExists(path: path) }
            return .file(path)
        case S_IFLNK:
            var target = stat()
            guard stat(path, &target) == 0, let resolved = realpath(path, nil) else {
                throw .unsuitableOutput(path: path, reason: "it is a symbolic link to a missing file")
            }
            defer { free(resolved) }
            guard target.st_mode & S_IFMT == S_IFREG else {
                if target.st_mode & S_IFMT == S_IFCHR { return .device(path) }
                throw .unsuitableOutput(path: path, reason: "it is a symbolic link to \(kind(target.st_mode))")
            }
            if !overwrite { throw .outputExists(path: path) }
            return .file(String(cString: resolved))
        case S_IFCHR:
            return .device(path)
        default:
            throw .unsuitableOutput(path: path, reason: "it is \(kind(status.st_mode)); outputs are regular files or character devices such as /dev/stdout")
        }
    }

    /// Writes `data` to `path` (see the type's notes for what `path` may be).
    ///
    /// - Parameter overwrite: when false and `path` is an existing file, throws
    ///   `DataError.outputExists` without writing anything.
    public static func write(_ data: Data, to path: String, overwrite: Bool) throws(DataError) {
        switch try destination(of: path, overwrite: overwrite) {
        case .device(let device): try writeThrough(data, to: device, reportingAs: path)
        case .file(let file): try replace(file, with: data, overwrite: overwrite, reportingAs: path)
        }
    }

    private static func replace(_ path: String, with data: Data, overwrite: Bool, reportingAs shown: String) throws(DataError) {
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw .writeFailed(path: shown, reason: DataFileReader.systemMessage(errno)) }

        var failure: Int32? = writeAll(data, to: fd)
        if failure == nil && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == nil { failure = errno }
        if failure == nil { failure = publish(temporary, as: path, overwrite: overwrite) }
        if let failure {
            unlink(temporary)
            if failure == EEXIST { throw .outputExists(path: shown) }
            throw .writeFailed(path: shown, reason: DataFileReader.systemMessage(failure))
        }
    }

    /// Writes to a character device as it is (no temporary file, nothing to replace).
    private static func writeThrough(_ data: Data, to path: String, reportingAs shown: String) throws(DataError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .writeFailed(path: shown, reason: DataFileReader.systemMessage(errno)) }
        var failure = writeAll(data, to: fd)
        if close(fd) != 0 && failure == nil { failure = errno }
        if let failure { throw .writeFailed(path: shown, reason: DataFileReader.systemMessage(failure)) }
    }

    /// The folder a new file would go into must exist, be a folder and be writable.
    private static func checkFolder(of path: String) throws(DataError) {
        let folder = path.lastIndex(of: "/").map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        var status = stat()
        guard stat(folder, &status) == 0 else { throw .unsuitableOutput(path: path, reason: "folder '\(folder)' does not exist") }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw .unsuitableOutput(path: path, reason: "'\(folder)' is not a folder") }
        guard access(folder, W_OK) == 0 else { throw .unsuitableOutput(path: path, reason: "folder '\(folder)' is not writable") }
    }

    /// A file kind in words.
    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFBLK: "a block device"
        case S_IFCHR: "a character device"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }

    /// Writes `text` as UTF-8 to `path`; see `write(_:to:overwrite:)` for `Data`.
    public static func write(_ text: String, to path: String, overwrite: Bool) throws(DataError) {
        try write(Data(text.utf8), to: path, overwrite: overwrite)
    }

    /// True when something (a file, a directory, even a dangling symlink) is at `path`.
    private static func pathExists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// `dir/.name.tmp-<pid>-<random>` next to `path`; hidden so tools listing outputs skip it.
    private static func temporaryPath(for path: String) -> String {
        let directory: Substring, name: Substring
        if let slash = path.lastIndex(of: "/") {
            directory = path[...slash]
            name = path[path.index(after: slash)...]
        } else {
            directory = ""
            name = Substring(path)
        }
        let random = String(UInt64.random(in: .min ... .max), radix: 36)
        return "\(directory).\(name).tmp-\(getpid())-\(random)"
    }

    /// Writes every byte, retrying short writes and interruptions; returns errno on failure.
    private static func writeAll(_ data: Data, to fd: Int32) -> Int32? {
        data.withUnsafeBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// Moves the finished temporary file into place; returns errno on failure.
    private static func publish(_ temporary: String, as path: String, overwrite: Bool) -> Int32? {
        if !overwrite {
            // link() fails with EEXIST if the target appeared since the check above, closing
            // that race; file systems without hard links fall back to rename.
            if link(temporary, path) == 0 {
                unlink(temporary)
                return nil
            }
            let code = errno
            if code == EEXIST { return code }
            if code != EPERM && code != ENOTSUP && code != EOPNOTSUPP && code != EXDEV { return code }
            if pathExists(path) { return EEXIST }
        }
        return rename(temporary, path) == 0 ? nil : errno
    }
}

/// The POSIX `write`, reachable by name from inside `AtomicFile`, whose own `write` shadows it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
