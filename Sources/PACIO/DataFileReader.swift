import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole input files, turning failures into `DataError`s with the OS's reason.
///
/// POSIX calls rather than `Data(contentsOf:)` because they give a precise, portable reason
/// ("Permission denied", "Is a directory") instead of a platform-specific Foundation message.
public enum DataFileReader {
    /// The complete contents of the file at `path`.
    public static func contents(atPath path: String) throws(DataError) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: systemMessage(code))
        }
        defer { close(fd) }

        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .unreadable(path: path, reason: systemMessage(errno)) }
        if (status.st_mode & mode_t(S_IFMT)) == mode_t(S_IFDIR) {
            throw .unreadable(path: path, reason: systemMessage(EISDIR))
        }

        // Read straight into a buffer of the file's size, then keep reading in case it grew
        // (or is not a regular file and reported size 0) until end of file.
        var data = Data(count: max(Int(status.st_size), 0))
        var filled = 0
        while filled < data.count {
            let got = data.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: systemMessage(errno))
            }
            if got == 0 { break }
            filled += got
        }
        if filled < data.count { data.count = filled }

        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: systemMessage(errno))
            }
            if got == 0 { break }
            data.append(contentsOf: chunk[0..<got])
        }
        return data
    }

    /// The C library's message for an errno value, e.g. "No such file or directory".
    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
