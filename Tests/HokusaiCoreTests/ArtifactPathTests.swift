import Testing

@testable import HokusaiCore

@Suite struct ArtifactPathTests {
    /// Every traversal form in section 7 of the contract, as it appears in a URL path.
    static let traversalInURLPaths = [
        "..", "../x", "1/../../etc/passwd", "1/..%2f..%2fetc%2fpasswd", "..%2f..%2f..%2fevil.txt", "%2e%2e/%2e%2e/etc/passwd",
        "%252e%252e%252fetc%252fpasswd", "1/%252e%252e/x", "..%5c..%5cwindows", "1\\..\\..\\x", "/etc/passwd", "%2fetc%2fpasswd",
        "C:%5cWindows", "C:/Windows", "1/a%00.txt", "1/a%3f.txt", "1/a%23frag", "1//b", "1/./b", "1/%2e/b",
        String(repeating: "a", count: 256), String(repeating: "a/", count: 600),
    ]

    @Test(arguments: traversalInURLPaths)
    func traversalFormsInURLPathsAreRefused(raw: String) {
        #expect(throws: ArtifactPath.invalid) { try ArtifactPath.parse(percentEncoded: raw[...]) }
    }

    @Test(arguments: ["../", "/etc", "//etc/passwd", "a/../../b", "%2e%2e", "a\\b", "a\u{0}b", "1/x#y", "C:\\"])
    func traversalFormsInQueryValuesAreRefused(decoded: String) {
        #expect(throws: ArtifactPath.invalid) { try ArtifactPath.parse(decoded: decoded) }
    }

    @Test func ordinaryPathsParseIntoSegments() throws {
        #expect(
            try ArtifactPath.parse(percentEncoded: "1/abc/artifacts/my%20file.txt"[...]).segments == [
                "1", "abc", "artifacts", "my file.txt",
            ])
        #expect(try ArtifactPath.parse(decoded: "1/abc/artifacts/model/").segments == ["1", "abc", "artifacts", "model"])
        #expect(try ArtifactPath.parse(decoded: "").isRoot)
        #expect(try ArtifactPath.parse(decoded: "1/r/artifacts/....txt").name == "....txt")
        #expect(try ArtifactPath.parse(decoded: "1/r/artifacts/café.txt").name == "café.txt")
    }

    @Test func ownersFollowTheTrackingLayout() throws {
        let run = ArtifactOwner(path: try ArtifactPath.parse(decoded: "3/abc/artifacts/x/y.txt"))
        #expect(run == .run(experimentId: 3, runId: "abc"))
        let model = ArtifactOwner(path: try ArtifactPath.parse(decoded: "3/models/m-0123/artifacts/MLmodel"))
        #expect(model == .loggedModel(experimentId: 3, modelId: "m-0123"))
        #expect(ArtifactOwner(path: try ArtifactPath.parse(decoded: "3/abc/other/x")) == nil)
        #expect(ArtifactOwner(path: try ArtifactPath.parse(decoded: "x/abc/artifacts/y")) == nil)
        #expect(ArtifactOwner(path: try ArtifactPath.parse(decoded: "3/models/artifacts/y")) == nil)
    }
}

@Suite struct ModelSourceTests {
    static let modelId = "m-0123456789abcdef0123456789abcdef"

    @Test func acceptedSourcesNameArtifactsThisServerHolds() throws {
        #expect(try ModelSource.parse("models:/\(Self.modelId)") == .loggedModel(modelId: Self.modelId))
        #expect(try ModelSource.parse("models:/\(Self.modelId)/") == .loggedModel(modelId: Self.modelId))
        #expect(try ModelSource.parse("runs:/abc123/model") == .run(runId: "abc123", path: ArtifactPath(unchecked: ["model"])))
        #expect(
            try ModelSource.parse("mlflow-artifacts:/1/abc/artifacts/foo///bar")
                == .artifacts(ArtifactPath(unchecked: ["1", "abc", "artifacts", "foo", "bar"])))
        #expect(
            try ModelSource.parse("mlflow-artifacts:///1/abc/artifacts/....")
                == .artifacts(ArtifactPath(unchecked: ["1", "abc", "artifacts", "...."])))
    }

    /// The sources of the CVEs listed in section 7 of the contract, and their bypasses.
    static let attacks = [
        "file:///etc/passwd", "/etc", "/", "etc/passwd", "http://169.254.169.254/latest/meta-data/", "https://oast.fun/x",
        "s3a://bucket/x", "ftp://host/x", "dbfs:/a%3f/../../", "mlflow-artifacts://host:9000/models/../../../",
        "mlflow-artifacts:/1/r/artifacts/../../../etc", "runs:/abc/../../etc", "runs:/abc/..%2f..%2fetc", "runs:/abc/model%00",
        "runs:/abc\\..\\..\\x", "models:/m-1/../../x", "models:/../../etc", "models:/name/1", "runs:/", "http:///#/../../etc/",
        "file:///etc/?x", "\\..\\..\\filename", "C:\\Windows",
    ]

    @Test(arguments: attacks)
    func attackSourcesAreRefused(source: String) {
        #expect(throws: MLflowError.self) { try ModelSource.parse(source) }
    }

    @Test func httpSourcesSayTheSchemeIsRefused() {
        let error = #expect(throws: MLflowError.self) { try ModelSource.parse("http://169.254.169.254/") }
        #expect(error?.message.contains("cannot use the 'http' scheme") == true)
    }
}

@Suite struct RegistryRulesTests {
    @Test(arguments: ["a/b", "a:b", "..", "name ", " name", "name%20", "a\u{0}b", String(repeating: "n", count: 257)])
    func badModelNamesAreRefused(name: String) {
        #expect(throws: MLflowError.self) { try RegistryRules.validateModelName(name) }
    }

    @Test func slashesGetTheReferenceMessage() {
        #expect(throws: MLflowError.invalid("Invalid model name 'a/b'. Names cannot contain '/' or ':'.")) {
            try RegistryRules.validateModelName("a/b")
        }
    }

    @Test func aliasesFollowTheReferenceRules() throws {
        try RegistryRules.validateAlias("champion")
        try RegistryRules.validateAlias("prod-v2_b")
        #expect(throws: MLflowError.invalid("Version alias name 'v1' is reserved.")) { try RegistryRules.validateAlias("v1") }
        #expect(throws: MLflowError.invalid("'latest' alias name (case insensitive) is reserved.")) {
            try RegistryRules.validateAlias("LaTeSt")
        }
        #expect(throws: MLflowError.self) { try RegistryRules.validateAlias("a b") }
        #expect(throws: MLflowError.self) { try RegistryRules.validateAlias("") }
    }

    @Test func stagesAreCaseInsensitive() throws {
        #expect(try ModelStage(parsing: "staging") == .staging)
        #expect(try ModelStage(parsing: "PRODUCTION") == .production)
        #expect(
            throws: MLflowError.invalid(
                "Invalid Model Version stage: Foo. Value must be one of None, Staging, Production, Archived.")
        ) { try ModelStage(parsing: "Foo") }
    }

    @Test func versionsAreIntegers() throws {
        #expect(try RegistryRules.version("3") == 3)
        #expect(throws: MLflowError.invalid("Parameter 'version' must be an integer")) { try RegistryRules.version("abc") }
    }
}

@Suite struct ArtifactOwnerCanonicalIdTests {
    @Test(arguments: ["+0", "00", "-0", "-1", "0x0", " 0", "01"])
    func anExperimentIdNotWrittenAsTheAPIWritesItNamesNoOwner(spelling: String) {
        #expect(ArtifactOwner(path: ArtifactPath(unchecked: [spelling, "r1", "artifacts", "f"])) == nil)
        #expect(ArtifactOwner(path: ArtifactPath(unchecked: [spelling, "models", "m-1", "artifacts", "f"])) == nil)
    }

    @Test func theCanonicalIdNamesItsOwner() {
        #expect(
            ArtifactOwner(path: ArtifactPath(unchecked: ["10", "r1", "artifacts", "f"])) == .run(experimentId: 10, runId: "r1"))
    }
}
