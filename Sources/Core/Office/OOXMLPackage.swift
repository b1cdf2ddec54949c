import Foundation
import ZIPFoundation

/// The ZIP container of DOCX and PPTX files (Open Packaging Conventions): parts written in order,
/// `[Content_Types].xml` first, XML deflated.
public enum OOXMLPackage {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A package from its parts (path inside the package, bytes).
    public static func zip(_ parts: [(path: String, data: Data)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        let ordered = parts.sorted {
            ($0.path == "[Content_Types].xml" ? 0 : 1) < ($1.path == "[Content_Types].xml" ? 0 : 1)
        }
        let stamp = Date(timeIntervalSince1970: 1_704_067_200)  // fixed, so the same input gives the same bytes
        for part in ordered {
            let bytes = part.data
            try archive.addEntry(
                with: part.path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: stamp,
                compressionMethod: part.path.hasSuffix(".xml") || part.path.hasSuffix(".rels") ? .deflate : .none,
                provider: { position, size in
                    let start = Int(position)
                    return bytes.subdata(in: start..<min(start + size, bytes.count))
                })
        }
        guard let data = archive.data else { throw Failure(description: "the package could not be written") }
        return data
    }

    /// Every part of a package, by path.
    public static func parts(of data: Data) throws -> [String: Data] {
        let archive = try Archive(data: data, accessMode: .read)
        var out: [String: Data] = [:]
        for entry in archive where entry.type == .file {
            var bytes = Data()
            _ = try archive.extract(entry, skipCRC32: false) { bytes.append($0) }
            out[entry.path] = bytes
        }
        return out
    }
}
