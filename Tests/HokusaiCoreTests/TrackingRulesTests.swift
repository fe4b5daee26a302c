import Foundation
import Testing

@testable import HokusaiCore

@Suite struct TrackingNamesTests {
    @Test(arguments: ["loss", "val/loss", "a b", "x:y", "v-1.2_3", "café", ""])
    func acceptedKeys(key: String) throws {
        try TrackingNames.validateKey(key, entity: .metric)
    }

    @Test func keysWithOtherCharactersAreRefusedWithMLflowsMessage() {
        #expect(
            throws: MLflowError.invalid(
                "Invalid param name: 'a#b'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
                    + "spaces ( ), colon(:) and slashes (/).")
        ) { try TrackingNames.validateKey("a#b", entity: .param) }
    }

    @Test(arguments: ["../x", "/abs", "a//b", ".", "a/./b", "a/"])
    func keysThatAreNotNormalPathsAreRefused(key: String) {
        #expect(throws: MLflowError.self) { try TrackingNames.validateKey(key, entity: .tag) }
    }

    @Test func overlongKeysAreRefused() {
        #expect(throws: MLflowError.invalid("'Param key' exceeds the maximum length of 250 characters")) {
            try TrackingNames.validateKey(String(repeating: "k", count: 251), entity: .param)
        }
    }

    @Test func longValuesAreTruncated() {
        #expect(TrackingNames.truncated(String(repeating: "v", count: 6001), limit: 6000).count == 6000)
        #expect(TrackingNames.truncated("short", limit: 6000) == "short")
    }
}

@Suite struct OffsetPageTokenTests {
    @Test func tokensRoundTripInTheReferenceFormat() throws {
        #expect(OffsetPageToken.encode(offset: 1) == Data("{\"offset\": 1}".utf8).base64EncodedString())
        #expect(try OffsetPageToken.decode(OffsetPageToken.encode(offset: 250)) == 250)
        #expect(try OffsetPageToken.decode(nil) == 0)
        #expect(try OffsetPageToken.decode("") == 0)
    }

    @Test func malformedTokensAreRefused() {
        #expect(throws: MLflowError.invalid("Invalid page token, could not base64-decode")) {
            try OffsetPageToken.decode("invalid_token")
        }
        #expect(throws: MLflowError.self) { try OffsetPageToken.decode(Data("[1]".utf8).base64EncodedString()) }
        #expect(throws: MLflowError.self) { try OffsetPageToken.decode(Data("{\"offset\": -1}".utf8).base64EncodedString()) }
    }

    @Test func aShortPageHasNoNextToken() {
        #expect(OffsetPageToken.next(offset: 0, limit: 10, returned: 9) == nil)
        #expect(OffsetPageToken.next(offset: 10, limit: 10, returned: 10) == OffsetPageToken.encode(offset: 20))
    }
}

@Suite struct MetricPointTests {
    func point(_ value: Double, step: Int64 = 0, timestamp: Int64 = 0) -> MetricPoint {
        MetricPoint(key: "m", value: value, timestamp: timestamp, step: step)
    }

    @Test func latestIsHighestStepThenTimestampThenValue() {
        #expect(point(1, step: 2).isLater(than: point(9, step: 1, timestamp: 99)))
        #expect(point(1, step: 1, timestamp: 5).isLater(than: point(9, step: 1, timestamp: 4)))
        #expect(point(2, step: 1, timestamp: 5).isLater(than: point(1, step: 1, timestamp: 5)))
        #expect(!point(1, step: 1, timestamp: 5).isLater(than: point(1, step: 1, timestamp: 5)))
    }

    @Test func infinitiesAreClampedToTheLargestDouble() {
        #expect(point(.infinity).clamped.value == .greatestFiniteMagnitude)
        #expect(point(-.infinity).clamped.value == -.greatestFiniteMagnitude)
        #expect(point(.nan).clamped.value.isNaN)
    }

    @Test func generatedRunNamesLookLikeMLflows() {
        let name = RunNames.generate()
        let parts = name.split(separator: "-")
        #expect(parts.count == 3 && Int(parts[2]) != nil)
    }
}
