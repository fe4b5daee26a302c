// libFuzzer entry for the MLflow search grammar: any text, as a filter or an order_by clause for
// every kind of search, either parses or is refused with an MLflowError; never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for schema in [FilterSchema.runs, .loggedModels, .experiments, .registeredModels, .modelVersions] {
        _ = try? FilterParser.parse(text, schema: schema)
        _ = try? FilterParser.ordering(text, schema: schema)
    }
    return 0
}
