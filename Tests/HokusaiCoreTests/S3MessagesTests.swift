import HokusaiCore
import Testing

@Suite struct S3MessagesTests {
    /// The example answer of S3's ListObjectsV2 documentation, with a delimiter and a next page.
    @Test func aListPageReadsObjectsFoldersAndTheNextToken() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>1/run/artifacts/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>
              <Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
              <Contents><Key>1/run/artifacts/a &amp; b.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
                <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>1/run/artifacts/&#x65E5;&#26412;.json</Key><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>1/run/artifacts/model/</Prefix></CommonPrefixes>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            </ListBucketResult>
            """
        let page = try S3Messages.listPage(Array(xml.utf8))
        #expect(
            page.objects == [
                .init(key: "1/run/artifacts/a & b.txt", size: 434_234), .init(key: "1/run/artifacts/日本.json", size: 0),
            ])
        #expect(page.commonPrefixes == ["1/run/artifacts/model/"])
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        let last = try S3Messages.listPage(Array("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>".utf8))
        #expect(last.objects.isEmpty && last.nextContinuationToken == nil)
    }

    @Test func errorsNameTheirCodeAndRegion() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region><RequestId>ABC</RequestId></Error>
            """
        let error = S3Messages.errorBody(Array(xml.utf8))
        #expect(error?.code == "AuthorizationHeaderMalformed" && error?.region == "eu-west-1")
        #expect(S3Messages.errorBody(Array("".utf8)) == nil)
        #expect(S3Messages.errorBody(Array("<html>502</html>".utf8)) == nil)
    }

    @Test func multipartAndDeleteBodiesAreEscaped() throws {
        #expect(
            S3Messages.completeMultipartUpload(parts: [(1, "\"a\""), (2, "\"b\"")])
                == #"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>"#
        )
        #expect(S3Messages.deleteObjects(keys: ["a<&>b"]).contains("<Key>a&lt;&amp;&gt;b</Key>"))
        let id = try S3Messages.uploadId(
            Array(
                "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"
                    .utf8))
        #expect(id == "VXBsb2FkIElE")
        let failures = try S3Messages.deleteFailures(
            Array("<DeleteResult><Error><Key>k</Key><Code>AccessDenied</Code></Error></DeleteResult>".utf8))
        #expect(failures.map(\.key) == ["k"] && failures.map(\.code) == ["AccessDenied"])
    }

    @Test(arguments: [
        "", "<", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>&#xFFFFFFFF;</a>", "<a/><b/>", "<a><![CDATA[x]]></a>",
        String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40),
    ])
    func malformedXMLIsASyntaxErrorNeverACrash(xml: String) {
        #expect(throws: XMLElement.SyntaxError.self) { try XMLElement.parse(Array(xml.utf8)) }
    }

    @Test func locationsParseAndRefuseBadBucketNames() throws {
        let location = try S3Location(parsing: "s3://my-bucket/team/a//mlflow/")
        #expect(location.bucket == "my-bucket" && location.prefix == "team/a/mlflow")
        #expect(location.key("1/r/artifacts/x") == "team/a/mlflow/1/r/artifacts/x")
        #expect(location.folderPrefix("") == "team/a/mlflow/")
        #expect(try S3Location(parsing: "s3://bkt").folderPrefix("") == "")
        #expect(try S3Location(parsing: "s3://bkt").key("a") == "a")
        for bad in [
            "s3:/x", "http://bucket", "s3://ab", "s3://Upper", "s3://-lead", "s3://a..b", "s3://bkt/../x", "s3://under_score",
        ] {
            #expect(throws: S3Location.Invalid.self, "\(bad)") { try S3Location(parsing: bad) }
        }
    }
}
