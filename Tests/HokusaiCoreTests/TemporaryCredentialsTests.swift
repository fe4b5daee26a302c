import HokusaiCore
import Testing

@Suite struct TemporaryCredentialsTests {
    @Test func ecsAndIMDSAnswersParseWithTheirExpiry() throws {
        let ecs =
            #"{"RoleArn":"arn:aws:iam::1:role/r","AccessKeyId":"ASIAX","SecretAccessKey":"s3cr3t","Token":"tok","Expiration":"2026-12-06T20:00:00Z"}"#
        let credentials = try TemporaryCredentials.parse(Array(ecs.utf8))
        #expect(credentials.accessKeyId == "ASIAX" && credentials.secretAccessKey == "s3cr3t")
        #expect(credentials.sessionToken == "tok" && credentials.expiresAt == 1_796_587_200)
        let imds =
            #"{"Code":"Success","LastUpdated":"2026-12-06T14:00:00Z","Type":"AWS-HMAC","AccessKeyId":"A","SecretAccessKey":"B","Token":"C","Expiration":"2026-12-06T20:00:00.000Z"}"#
        #expect(try TemporaryCredentials.parse(Array(imds.utf8)).expiresAt == 1_796_587_200)
    }

    @Test(arguments: [
        "", "[]", #"{"AccessKeyId":"A"}"#, #"{"Code":"Failed","AccessKeyId":"A","SecretAccessKey":"B"}"#,
        #"{"AccessKeyId":"A","SecretAccessKey":"B","Expiration":"tomorrow"}"#,
    ])
    func answersWithoutUsableCredentialsAreRefused(body: String) {
        #expect(throws: TemporaryCredentials.Invalid.self) { try TemporaryCredentials.parse(Array(body.utf8)) }
    }

    @Test func refreshStartsFiveMinutesBeforeExpiry() {
        let expiring = AWSCredentials(accessKeyId: "a", secretAccessKey: "b", sessionToken: "c", expiresAt: 10_000)
        #expect(!TemporaryCredentials.needsRefresh(expiring, now: 9_699))
        #expect(TemporaryCredentials.needsRefresh(expiring, now: 9_700))
        #expect(TemporaryCredentials.needsRefresh(expiring, now: 20_000))
        #expect(!TemporaryCredentials.needsRefresh(AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), now: .max))
    }
}
