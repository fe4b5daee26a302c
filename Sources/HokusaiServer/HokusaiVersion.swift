/// The release version, reported by `/health`, `/version` and `hokusai --version`.
public enum HokusaiVersion {
    public static let current = "0.1.0"
}
