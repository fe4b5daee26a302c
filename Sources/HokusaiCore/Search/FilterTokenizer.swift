/// Tokens of MLflow's search filter language.
enum FilterToken: Equatable, Sendable {
    /// A bare word: an identifier (`metrics.loss`), a keyword (`AND`, `LIKE`) or a number.
    case word(String)
    /// A backtick- or double-quoted identifier part (``metrics.`my metric` ``, `params."a b"`).
    case quotedIdentifier(String, quote: Character)
    /// A 'single'-quoted string value.
    case string(String)
    case comparator(String)
    case openParen, closeParen, comma, dot
}

/// Splits a filter string into tokens. Pure; errors carry MLflow's messages.
enum FilterTokenizer {
    static func tokenize(_ text: String) throws(MLflowError) -> [FilterToken] {
        var tokens: [FilterToken] = []
        var index = text.startIndex
        func peek(_ offset: Int = 0) -> Character? {
            var position = index
            for _ in 0..<offset {
                guard position < text.endIndex else { return nil }
                position = text.index(after: position)
            }
            return position < text.endIndex ? text[position] : nil
        }
        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace {
                index = text.index(after: index)
                continue
            }
            switch character {
            case "(": tokens.append(.openParen); index = text.index(after: index)
            case ")": tokens.append(.closeParen); index = text.index(after: index)
            case ",": tokens.append(.comma); index = text.index(after: index)
            case ".": tokens.append(.dot); index = text.index(after: index)
            case "'", "\"", "`":
                let (content, next) = try quoted(text, from: index, quote: character)
                tokens.append(character == "'" ? .string(content) : .quotedIdentifier(content, quote: character))
                index = next
            case "=", "!", "<", ">":
                if peek(1) == "=" {
                    tokens.append(.comparator(String(character) + "="))
                    index = text.index(index, offsetBy: 2)
                } else if character == "!" {
                    throw .invalid("Invalid filter '\(text)': '!' must be followed by '='")
                } else {
                    tokens.append(.comparator(String(character)))
                    index = text.index(after: index)
                }
            default:
                var end = index
                while end < text.endIndex, isWordCharacter(text[end]) { end = text.index(after: end) }
                guard end > index else { throw .invalid("Invalid filter '\(text)': unexpected character '\(character)'") }
                let word = String(text[index..<end])
                // A number may contain '.', '-', '+' and 'e' (1e-3, -2.5); a word may contain '.' between parts.
                tokens.append(contentsOf: splitDotted(word))
                index = end
            }
        }
        return tokens
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "_-+:/".contains(character)
            || character == "." || character == "@"
    }

    /// `metrics.loss` becomes word, dot, word; a number like `1.5e-3` stays whole.
    static func splitDotted(_ word: String) -> [FilterToken] {
        if Double(word) != nil { return [.word(word)] }
        var tokens: [FilterToken] = []
        for (position, part) in word.split(separator: ".", omittingEmptySubsequences: false).enumerated() {
            if position > 0 { tokens.append(.dot) }
            if !part.isEmpty { tokens.append(.word(String(part))) }
        }
        return tokens
    }

    static func quoted(_ text: String, from start: String.Index, quote: Character) throws(MLflowError) -> (String, String.Index) {
        var content = ""
        var index = text.index(after: start)
        while index < text.endIndex {
            let character = text[index]
            if character == "\\", text.index(after: index) < text.endIndex {
                content.append(text[text.index(after: index)])
                index = text.index(index, offsetBy: 2)
                continue
            }
            if character == quote { return (content, text.index(after: index)) }
            content.append(character)
            index = text.index(after: index)
        }
        throw .invalid("Invalid filter '\(text)': unterminated \(quote)quoted\(quote) text")
    }
}
