import Testing

@testable import HokusaiCore

@Suite struct APIKeyFormatTests {
    @Test(arguments: APIKeyEnvironment.allCases)
    func generatedKeysParseAndCarryTheirEnvironment(environment: APIKeyEnvironment) {
        let key = APIKeyFormat.generate(environment: environment)
        #expect(key.hasPrefix(environment.keyPrefix))
        #expect(key.count == environment.keyPrefix.count + 32)
        #expect(APIKeyFormat.parse(key) == .success(environment))
    }

    @Test func everySingleCharacterChangeIsRejectedAsMalformed() {
        let key = APIKeyFormat.generate(environment: .production)
        let characters = Array(key)
        for index in APIKeyEnvironment.production.keyPrefix.count..<characters.count {
            var changed = characters
            changed[index] = changed[index] == "A" ? "B" : "A"
            let result = APIKeyFormat.parse(String(changed))
            #expect(result == .failure(.checksumMismatch), "position \(index)")
        }
    }

    @Test func shapeProblemsAreNamed() {
        let key = APIKeyFormat.generate(environment: .test)
        #expect(APIKeyFormat.parse("sk_live_" + key.dropFirst(8)) == .failure(.unknownPrefix))
        #expect(APIKeyFormat.parse(String(key.dropLast())) == .failure(.wrongLength(31)))
        #expect(APIKeyFormat.parse(key + "x") == .failure(.wrongLength(33)))
        #expect(APIKeyFormat.parse(String(key.dropLast()) + "-") == .failure(.invalidCharacters))
        #expect(APIKeyFormat.parse("") == .failure(.unknownPrefix))
    }

    @Test func problemMessagesNeverRepeatTheKey() {
        let key = APIKeyFormat.generate(environment: .production)
        for problem in [APIKeyFormat.Problem.unknownPrefix, .wrongLength(3), .invalidCharacters, .checksumMismatch] {
            #expect(!problem.message.contains(key))
        }
    }

    @Test func maskShowsPrefixTwoCharactersAndLastFour() {
        let key = "hk_live_ch" + String(repeating: "x", count: 26) + "cOWL"
        #expect(APIKeyFormat.mask(key) == "hk_live_ch…cOWL")
        #expect(APIKeyFormat.visibleParts(of: "hk_dev_ab" + String(repeating: "y", count: 30)).head == "hk_dev_ab")
    }

    @Test func hashIsSHA256HexOfTheWholeKey() {
        #expect(APIKeyFormat.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let key = APIKeyFormat.generate(environment: .production)
        #expect(APIKeyFormat.hash(key).count == 64)
        #expect(APIKeyFormat.hash(key) != APIKeyFormat.hash(APIKeyFormat.generate(environment: .production)))
    }

    @Test func keyLikeTextIsDetectedInsideOtherText() {
        let key = APIKeyFormat.generate(environment: .development)
        #expect(APIKeyFormat.containsKeyLikeText("prefix-\(key)-suffix"))
        #expect(!APIKeyFormat.containsKeyLikeText("req_12345"))
        #expect(!APIKeyFormat.containsKeyLikeText("hk_live_short"))
        // The whole text, after a false start, beside non-ASCII text.
        let shaped = "hk_test_" + String(repeating: "Ab3", count: 11).prefix(32)
        #expect(APIKeyFormat.containsKeyLikeText(shaped))
        #expect(APIKeyFormat.containsKeyLikeText("hk_test_x " + shaped))
        #expect(APIKeyFormat.containsKeyLikeText("café ☕️ " + shaped + " é"))
        // One character short, or a character outside base62 inside the body.
        #expect(!APIKeyFormat.containsKeyLikeText(String(shaped.dropLast())))
        #expect(!APIKeyFormat.containsKeyLikeText(String(shaped.dropLast(5)) + "-" + String(shaped.suffix(4))))
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func base62EncodesAtFixedWidth() {
        #expect(Base62.encode(0, width: 3) == "000")
        #expect(Base62.encode(61, width: 2) == "0z")
        #expect(Base62.encode(62, width: 2) == "10")
        #expect(Base62.encode(UInt64(UInt32.max), width: 6).count == 6)
    }
}

@Suite struct KeyLikeTextMaskTests {
    let key = APIKeyFormat.generate(environment: .production)

    @Test func everyKeyInTheTextIsMaskedAndTheRestKept() {
        let test = APIKeyFormat.generate(environment: .test)
        let masked = KeyLikeTextMask.masking("/api/v1/keys/\(key) and '\(test)'.")
        #expect(masked == "/api/v1/keys/\(APIKeyFormat.mask(key)) and '\(APIKeyFormat.mask(test))'.")
    }

    @Test func percentEscapedKeysAreFoundToo() {
        let escaped = key.replacingOccurrences(of: "_", with: "%5F")
        let masked = KeyLikeTextMask.masking("/nonexistent/\(escaped)%zz")
        #expect(!masked.contains(String(key.dropFirst(8))))
        #expect(masked.contains(APIKeyFormat.mask(key)) && masked.hasSuffix("%zz"))
    }

    @Test func textWithoutAKeyIsUnchanged() {
        for text in [
            "", "/api/2.0/mlflow/runs/get", "hk_live_short", "100% sure %", "hk_live_" + String(repeating: "-", count: 32),
        ] {
            #expect(KeyLikeTextMask.masking(text) == text)
        }
    }
}
