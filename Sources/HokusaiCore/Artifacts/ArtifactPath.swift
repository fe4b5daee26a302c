import Foundation

/// A path inside the artifact root, checked before anything touches storage. Every traversal
/// form that reached files outside MLflow's own root (CVE-2023-6730, -6831, -6015, CVE-2024-1560,
/// GHSA-issue #7166: `..`, encoded and double-encoded `..`, backslashes, absolute and drive paths,
/// NUL, `?`/`#` suffixes) is refused here with the reference server's "Invalid path", so storage
/// code only ever sees plain relative segments.
public struct ArtifactPath: Sendable, Hashable, CustomStringConvertible {
    public let segments: [String]

    public init(unchecked segments: [String]) { self.segments = segments }

    public static let root = ArtifactPath(unchecked: [])
    public static let invalid = MLflowError.invalid("Invalid path")

    /// Longest accepted path and segment, in UTF-8 bytes (Linux's NAME_MAX and a sane total).
    public static let maximumBytes = 1024
    public static let maximumSegmentBytes = 255

    public var description: String { segments.joined(separator: "/") }
    public var isRoot: Bool { segments.isEmpty }
    public var name: String { segments.last ?? "" }

    public func appending(_ other: ArtifactPath) -> ArtifactPath { ArtifactPath(unchecked: segments + other.segments) }

    public func hasPrefix(_ other: ArtifactPath) -> Bool { segments.starts(with: other.segments) }

    /// The part of this path below `base`, which it must start with.
    public func relative(to base: ArtifactPath) -> ArtifactPath {
        ArtifactPath(unchecked: Array(segments.dropFirst(base.segments.count)))
    }

    /// A path as it appears, percent-encoded, in a URL path (`/mlflow-artifacts/artifacts/<path>`).
    public static func parse(percentEncoded raw: Substring) throws(MLflowError) -> ArtifactPath {
        guard let decoded = String(raw).removingPercentEncoding else { throw invalid }
        return try parse(decoded: decoded)
    }

    /// A path already decoded once (a `?path=` query value). A trailing `/` is allowed (a folder);
    /// an empty path is the root.
    public static func parse(decoded text: String) throws(MLflowError) -> ArtifactPath {
        guard text.utf8.count <= maximumBytes else { throw invalid }
        // Still percent-encoded after one decode means the client encoded twice: a decoder further
        // along would see different text than the one checked here (CVE-2024-1560).
        if let again = text.removingPercentEncoding, again != text { throw invalid }
        if text.unicodeScalars.contains(where: isForbidden) { throw invalid }
        if text.hasPrefix("/") { throw invalid }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        for part in parts {
            guard !part.isEmpty, part != ".", part != "..", part.utf8.count <= maximumSegmentBytes else { throw invalid }
        }
        if let first = parts.first, isDriveLetter(first) { throw invalid }
        return ArtifactPath(unchecked: parts)
    }

    /// Characters no artifact name needs and every traversal trick uses: backslash (a Windows
    /// separator), `?` and `#` (URL suffixes a later parser would cut), NUL and other controls.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\\" || scalar == "?" || scalar == "#" || scalar.value < 0x20 || scalar.value == 0x7F
    }

    static func isDriveLetter(_ segment: String) -> Bool {
        let scalars = Array(segment.unicodeScalars)
        return scalars.count >= 2 && scalars[1] == ":" && scalars[0].isASCII && scalars[0].properties.isAlphabetic
    }
}

/// Whose artifacts a path holds, by the layout the tracking API hands out:
/// `<experiment>/<run>/artifacts/…` for a run, `<experiment>/models/<model>/artifacts/…` for a logged model.
public enum ArtifactOwner: Sendable, Equatable {
    case run(experimentId: Int64, runId: String)
    case loggedModel(experimentId: Int64, modelId: String)

    /// The owner of `path`, when the path lies inside some owner's `artifacts` folder (or is that folder).
    /// The experiment id must be written as the tracking API writes it: `+0`, `00` or `-0` would
    /// pass a permission check for experiment 0 and then name a folder no listing shows.
    public init?(path: ArtifactPath) {
        let s = path.segments
        guard s.count >= 3, let experimentId = Int64(s[0]), experimentId >= 0, String(experimentId) == s[0] else {
            return nil
        }
        if s[1] == "models", s.count >= 4, s[3] == "artifacts", s[2].hasPrefix("m-") {
            self = .loggedModel(experimentId: experimentId, modelId: s[2])
        } else if s[2] == "artifacts", s[1] != "models" {
            self = .run(experimentId: experimentId, runId: s[1])
        } else {
            return nil
        }
    }

    /// The owner's `artifacts` folder.
    public var root: ArtifactPath {
        switch self {
        case .run(let experimentId, let runId): ArtifactPath(unchecked: [String(experimentId), runId, "artifacts"])
        case .loggedModel(let experimentId, let modelId):
            ArtifactPath(unchecked: [String(experimentId), "models", modelId, "artifacts"])
        }
    }
}
