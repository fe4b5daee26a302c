import Testing

@testable import HokusaiCore

/// The signer against AWS's published examples: the S3 examples of "Signature Calculations for the
/// Authorization Header" and "Authenticating Requests: Using Query Parameters", and cases of the
/// SigV4 test suite (`aws-sig-v4-test-suite`) whose paths S3 and other services encode alike.
@Suite struct SigV4Tests {
    static let s3Example = AWSCredentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let suiteExample = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let s3Scope = SigningScope(region: "us-east-1", service: "s3")
    static let exampleDate = "20130524T000000Z"

    static func s3Get(_ path: String, query: [(String, String)] = [], extra: [(String, String)] = []) -> SigV4.Request {
        SigV4.Request(
            method: "GET", path: path, query: query,
            headers: [("Host", "examplebucket.s3.amazonaws.com")] + extra + [
                ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", exampleDate),
            ])
    }

    @Test func getObjectWithARange() {
        let request = Self.s3Get("/test.txt", extra: [("Range", "bytes=0-9")])
        let (canonical, signedHeaders) = SigV4.canonicalRequest(request)
        #expect(
            canonical == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(
            SigV4.stringToSign(canonicalRequest: canonical, amzDate: Self.exampleDate, scope: Self.s3Scope) == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        let signed = SigV4.sign(request, credentials: Self.s3Example, scope: Self.s3Scope, amzDate: Self.exampleDate)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectWithAnEncodedKeyAndADateHeader() {
        let request = SigV4.Request(
            method: "PUT", path: "/test$file.text",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-date", Self.exampleDate), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
            ],
            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(SigV4.canonicalRequest(request).text.hasPrefix("PUT\n/test%24file.text\n\n"))
        let signed = SigV4.sign(request, credentials: Self.s3Example, scope: Self.s3Scope, amzDate: Self.exampleDate)
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func bucketQueriesWithAndWithoutValues() {
        let lifecycle = Self.s3Get("/", query: [("lifecycle", "")])
        #expect(SigV4.canonicalRequest(lifecycle).text.hasPrefix("GET\n/\nlifecycle=\n"))
        #expect(
            SigV4.sign(lifecycle, credentials: Self.s3Example, scope: Self.s3Scope, amzDate: Self.exampleDate).signature
                == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        let list = Self.s3Get("/", query: [("prefix", "J"), ("max-keys", "2")])
        #expect(SigV4.canonicalRequest(list).text.hasPrefix("GET\n/\nmax-keys=2&prefix=J\n"))
        #expect(
            SigV4.sign(list, credentials: Self.s3Example, scope: Self.s3Scope, amzDate: Self.exampleDate).signature
                == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func aPresignedURL() {
        let request = SigV4.Request(
            method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com")],
            payloadHash: SigV4.unsignedPayload)
        let query = SigV4.presignedQuery(
            request, credentials: Self.s3Example, scope: Self.s3Scope, amzDate: Self.exampleDate, expiresSeconds: 86_400)
        #expect(
            query == "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
                + "&X-Amz-SignedHeaders=host")
    }

    /// `aws-sig-v4-test-suite`: get-vanilla, get-vanilla-query-order-key-case, post-vanilla.
    @Test(arguments: [
        ("GET", [] as [(String, String)], "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        (
            "GET", [("Param2", "value2"), ("Param1", "value1")],
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
        ("POST", [], "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ])
    func theSignatureTestSuite(method: String, query: [(String, String)], expected: String) {
        let request = SigV4.Request(
            method: method, path: "/", query: query,
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")])
        let signed = SigV4.sign(
            request, credentials: Self.suiteExample, scope: SigningScope(region: "us-east-1", service: "service"),
            amzDate: "20150830T123600Z")
        #expect(signed.signature == expected)
        #expect(signed.signedHeaders == "host;x-amz-date")
    }

    @Test func headerValuesAreTrimmedAndInnerSpacesCollapsed() {
        let headers = SigV4.canonicalHeaders([("My-Header1", "  a   b   c  "), ("X-Amz-Date", "x"), ("my-header1", "d")])
        #expect(headers.map { "\($0.0):\($0.1)" } == ["my-header1:a b c,d", "x-amz-date:x"])
    }

    @Test func keysAreEncodedOnceAndNeverNormalized() {
        #expect(SigV4.uriEncode("/0/run/artifacts/a b+c~d/./é", keepSlash: true) == "/0/run/artifacts/a%20b%2Bc~d/./%C3%A9")
        #expect(SigV4.uriEncode("a/b=c&d", keepSlash: false) == "a%2Fb%3Dc%26d")
    }

    @Test(arguments: [
        (Int64(0), "19700101T000000Z"), (1_369_353_600, "20130524T000000Z"), (1_440_938_160, "20150830T123600Z"),
        (951_782_400, "20000229T000000Z"), (4_102_444_799, "20991231T235959Z"),
    ])
    func amzDates(seconds: Int64, expected: String) {
        #expect(SigV4.amzDate(epochSeconds: seconds) == expected)
    }
}

@Suite struct AWSCredentialsTests {
    @Test func describingCredentialsNeverShowsTheSecretOrToken() {
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrSECRET", sessionToken: "TOKEN123")
        for text in [String(describing: credentials), String(reflecting: credentials), "\(credentials)"] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(!text.contains("wJalrSECRET") && !text.contains("TOKEN123"), "\(text)")
        }
    }
}
