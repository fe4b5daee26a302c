/// JSON written as it is produced, for the large answers (a page of 1,000 runs, a 1,000-point
/// history): building them as a `JSONValue` tree first took some twenty allocations per run, and
/// freeing them again, which was about a tenth of a page. Values are written by `JSONWriter`'s
/// rules; commas are placed here.
public struct JSONOutput {
    public private(set) var bytes: [UInt8] = []
    /// Nothing written yet in the innermost object or array: the next element needs no comma.
    private var atStart = true
    /// A key was just written: its value follows without a comma.
    private var afterKey = false

    public init(reservingCapacity capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atStart = true
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        atStart = false
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        atStart = true
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        atStart = false
    }

    public mutating func key(_ name: String) {
        separate()
        JSONWriter.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ text: String) {
        separate()
        JSONWriter.writeString(text, into: &bytes)
    }

    public mutating func value(_ value: JSONValue) {
        separate()
        JSONWriter.write(value, into: &bytes)
    }

    /// `"name":"text"`, the commonest field.
    public mutating func field(_ name: String, _ text: String) {
        key(name)
        string(text)
    }

    public mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
        self.value(value)
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
        } else if atStart {
            atStart = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }
}
