import Foundation

/// Runs Debian's poppler-utils (pdfinfo, pdftotext, pdftoppm) on rendered PDFs, so tests read the
/// output the way a person's PDF reader does. The project's bootstrap installs them; if one is
/// missing, the test fails saying so.
struct Poppler {
    struct Output {
        var stdout: String
        var stderr: String
        var status: Int32
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A scratch directory for one test's files, removed by `cleanUp()`.
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ressus-pdf-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// Writes `bytes` as `name` in the scratch directory and returns its path.
    func write(_ bytes: [UInt8], as name: String = "document.pdf") throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Runs `tool` with `arguments`; throws if the tool is missing or exits with an error.
    func run(_ tool: String, _ arguments: [String]) throws -> Output {
        guard let executable = Self.locate(tool) else {
            throw Failure(description: "\(tool) not found: install poppler-utils (apt-get install -y poppler-utils)")
        }
        let stdoutURL = directory.appendingPathComponent("\(tool)-\(UUID().uuidString).out")
        let stderrURL = directory.appendingPathComponent("\(tool)-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        try process.run()
        process.waitUntilExit()
        try stdoutHandle.close()
        try stderrHandle.close()
        let output = Output(
            stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self),
            status: process.terminationStatus)
        guard output.status == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)")
        }
        return output
    }

    /// `pdfinfo -isodates` as a dictionary of its "Key: value" lines.
    func info(_ path: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for line in try run("pdfinfo", ["-isodates", path]).stdout.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// `pdftotext -layout`, one string per page.
    func textPages(_ path: String) throws -> [String] {
        var pages = try run("pdftotext", ["-layout", path, "-"]).stdout
            .split(separator: "\u{0C}", omittingEmptySubsequences: false).map(String.init)
        if pages.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true { pages.removeLast() }
        return pages
    }

    /// A word and its box, from `pdftotext -bbox`, in points from the page's top-left corner.
    struct Word {
        var page: Int
        var text: String
        var xMin: Double, yMin: Double, xMax: Double, yMax: Double
    }

    /// Every word of the document with its box.
    func words(_ path: String) throws -> [Word] {
        let html = try run("pdftotext", ["-bbox", path, "-"]).stdout
        let pattern = try NSRegularExpression(
            pattern: #"<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>"#)
        var words: [Word] = []
        var page = 0
        let nsHTML = html as NSString
        for match in pattern.matches(in: html, range: NSRange(location: 0, length: nsHTML.length)) {
            if match.range(at: 1).location == NSNotFound { page += 1; continue }
            func field(_ index: Int) -> String { nsHTML.substring(with: match.range(at: index)) }
            words.append(Word(
                page: page, text: Self.unescapeHTML(field(5)),
                xMin: Double(field(1))!, yMin: Double(field(2))!, xMax: Double(field(3))!, yMax: Double(field(4))!))
        }
        return words
    }

    private static func unescapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    private static func locate(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return folders.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
