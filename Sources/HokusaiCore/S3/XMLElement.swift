/// Just enough XML for S3's answers: elements, text and the five named entities plus numeric
/// references; attributes, comments, the declaration and processing instructions are skipped.
/// S3 never sends DTDs or CDATA, and nothing here resolves external entities, so a hostile
/// endpoint cannot make it read a file (XXE) or expand a billion laughs: it can only fail to parse.
public struct XMLElement: Sendable, Equatable {
    public let name: String
    public var children: [XMLElement]
    public var text: String

    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The first child named `name`.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    /// Every child named `name`, in order.
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// The text of the first child named `name`.
    public subscript(name: String) -> String? { child(name)?.text }

    /// Parses a document and returns its root element. Depth is capped: S3's answers are three deep.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(SyntaxError) -> XMLElement {
        var reader = Reader(bytes: Array(bytes))
        return try reader.document()
    }
}

private struct Reader {
    let bytes: [UInt8]
    var index = 0
    static let maximumDepth = 32

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLElement.SyntaxError) -> XMLElement {
        skipMisc()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw fail("no root element") }
        let root = try element(depth: 0)
        skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Whitespace, `<?…?>`, `<!--…-->` and `<!…>` between elements.
    mutating func skipMisc() {
        while index < bytes.count {
            if isSpace(bytes[index]) {
                index += 1
            } else if starts(with: "<?") {
                skip(past: "?>")
            } else if starts(with: "<!--") {
                skip(past: "-->")
            } else if starts(with: "<!") {
                skip(past: ">")
            } else {
                return
            }
        }
    }

    mutating func element(depth: Int) throws(XMLElement.SyntaxError) -> XMLElement {
        guard depth < Self.maximumDepth else { throw fail("elements nested deeper than \(Self.maximumDepth)") }
        index += 1  // '<'
        let name = readName()
        guard !name.isEmpty else { throw fail("an element without a name") }
        // Attributes: skipped, quoted values included (they may hold '>').
        while index < bytes.count, bytes[index] != UInt8(ascii: ">"), !starts(with: "/>") {
            if bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let quote = bytes[index]
                index += 1
                while index < bytes.count, bytes[index] != quote { index += 1 }
            }
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated start tag <\(name)>") }
        if starts(with: "/>") {
            index += 2
            return XMLElement(name: name, children: [], text: "")
        }
        index += 1  // '>'
        var element = XMLElement(name: name, children: [], text: "")
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("<\(name)> is not closed") }
            if starts(with: "</") {
                index += 2
                let closing = readName()
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                guard closing == name, index < bytes.count, bytes[index] == UInt8(ascii: ">") else {
                    throw fail("<\(name)> closed by </\(closing)>")
                }
                index += 1
                element.text = String(decoding: text, as: UTF8.self)
                return element
            } else if starts(with: "<!--") {
                skip(past: "-->")
            } else if starts(with: "<![CDATA[") {
                throw fail("CDATA sections are not expected from S3")
            } else if bytes[index] == UInt8(ascii: "<") {
                element.children.append(try self.element(depth: depth + 1))
            } else if bytes[index] == UInt8(ascii: "&") {
                text += try entity()
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
    }

    mutating func entity() throws(XMLElement.SyntaxError) -> [UInt8] {
        guard let end = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            throw fail("an '&' that starts no entity")
        }
        let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
        index = end + 1
        switch name {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            let number: UInt32? =
                name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16) : name.hasPrefix("#") ? UInt32(name.dropFirst()) : nil
            guard let number, let scalar = Unicode.Scalar(number) else { throw fail("unknown entity &\(name);") }
            return Array(String(Character(scalar)).utf8)
        }
    }

    mutating func readName() -> String {
        let start = index
        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"),
            bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: "<")
        {
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    func starts(with literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
    }

    mutating func skip(past literal: StaticString) {
        while index < bytes.count, !starts(with: literal) { index += 1 }
        index = min(bytes.count, index + literal.utf8CodeUnitCount)
    }

    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    func fail(_ reason: String) -> XMLElement.SyntaxError {
        XMLElement.SyntaxError(description: "\(reason) (at byte \(index))")
    }
}
