extension StringProtocol {
    /// Without leading and trailing spaces and tabs, HTTP's optional whitespace around a header
    /// value and between a scheme and its credential. Without Foundation, whose
    /// `trimmingCharacters(in:)` cost a few percent of every authenticated request.
    public func trimmingSpacesAndTabs() -> Substring {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return Substring(text)
    }
}
