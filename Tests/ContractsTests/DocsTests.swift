import Foundation
import Testing

/// The documents point at things that exist: every relative link and every repository path they name,
/// and every test a ticked checklist item gives as its evidence.
struct DocsTests {
    static let root = ContractsTests.repositoryRoot

    /// README.md and every Markdown file under docs/.
    static func documents() throws -> [(name: String, text: String)] {
        let docs = root.appendingPathComponent("docs")
        let names =
            ["README.md"]
            + (try FileManager.default.contentsOfDirectory(atPath: docs.path)).filter { $0.hasSuffix(".md") }.sorted()
            .map { "docs/" + $0 }
        return try names.map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    static func matches(_ pattern: String, in text: String) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    @Test func everyLinkAndPathTheDocumentsNameExists() throws {
        var missing: [String] = []
        for (name, text) in try Self.documents() {
            let folder = (name as NSString).deletingLastPathComponent
            // Relative Markdown links, resolved from the document's own folder.
            for target in try Self.matches(#"\]\(([^)\s#]+)(?:#[^)]*)?\)"#, in: text)
            where !target.contains("://") && !target.hasPrefix("mailto:") {
                let path = (folder.isEmpty ? target : folder + "/" + target)
                let normalized = URL(fileURLWithPath: path, relativeTo: Self.root).standardized.path
                if !FileManager.default.fileExists(atPath: normalized) { missing.append("\(name): link \(target)") }
            }
            // Repository paths in code spans: `scripts/test.sh`, `infra/terraform/modules/ecs/collector.tf`, …
            let prefixes = "scripts|docs|bench|infra|Sources|Tests|docker|\\.github|\\.ci"
            for span in try Self.matches("`([^`\\n]+)`", in: text) {
                for token in span.split(separator: " ") {
                    let candidate = String(token).trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)(\"'"))
                    guard candidate.range(of: "^(\(prefixes))/", options: .regularExpression) != nil,
                        !candidate.contains("*"), !candidate.contains("<"), !candidate.contains("{"),
                        !candidate.contains("$")
                    else { continue }
                    if !Self.exists(candidate) { missing.append("\(name): \(candidate)") }
                }
            }
        }
        #expect(missing.isEmpty, "\(missing.joined(separator: "\n"))")
    }

    /// The value of `key` in one language of the web app's strings.js.
    static func webString(_ key: String, english: Bool, in source: String) -> String? {
        guard let split = source.range(of: "\n  en: {") else { return nil }
        let part = english ? source[split.upperBound...] : source[..<split.lowerBound]
        guard let start = part.range(of: "\n    \"\(key)\": ") else { return nil }
        let line = part[start.upperBound...].prefix { $0 != "\n" }
        let literal = line.hasSuffix(",") ? line.dropLast() : line
        return try? JSONDecoder().decode(String.self, from: Data(literal.utf8))
    }

    /// The playbook's landing-page table is the site's own copy, word for word, in both languages.
    @Test func thePlaybooksLandingCopyIsWhatTheSiteShows() throws {
        let playbook = try String(
            contentsOf: Self.root.appendingPathComponent("docs/MARKETING_PLAYBOOK.md"), encoding: .utf8)
        let strings = try String(
            contentsOf: Self.root.appendingPathComponent("Sources/WebService/Public/js/strings.js"), encoding: .utf8)
        var compared = 0
        var different: [String] = []
        for line in playbook.components(separatedBy: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 5, cells[1].hasPrefix("`"), cells[1].hasSuffix("`"), !cells[1].contains(" ") else {
                continue
            }
            let key = String(cells[1].dropFirst().dropLast())
            guard let arabic = Self.webString(key, english: false, in: strings),
                let english = Self.webString(key, english: true, in: strings)
            else { continue }
            compared += 1
            if cells[2] != arabic { different.append("\(key) (ar): \(cells[2]) ≠ \(arabic)") }
            if cells[3] != english { different.append("\(key) (en): \(cells[3]) ≠ \(english)") }
        }
        #expect(compared >= 30, "only \(compared) rows compared")
        #expect(different.isEmpty, "\(different.joined(separator: "\n"))")
    }

    /// Test names in Tests/: suites (struct names) and test functions.
    static func testNames() throws -> Set<String> {
        var names: Set<String> = []
        let tests = Self.root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(atPath: tests.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)
            names.formUnion(try Self.matches(#"(?:func|struct|class)\s+([A-Za-z0-9_]+)"#, in: text))
        }
        return names
    }

    @Test func everyTickedChecklistItemNamesACommandThatExists() throws {
        let checklist = try String(
            contentsOf: Self.root.appendingPathComponent("docs/CHECKLIST.md"), encoding: .utf8)
        let lines = checklist.components(separatedBy: "\n")
        let names = try Self.testNames()
        var problems: [String] = []
        var ticked = 0
        for (index, line) in lines.enumerated() where line.hasPrefix("- [x]") {
            ticked += 1
            let evidence = index + 1 < lines.count ? lines[index + 1] : ""
            guard evidence.contains("evidence:"), evidence.contains("`") else {
                problems.append("\(line): no command as evidence")
                continue
            }
            for command in try Self.matches("`([^`]+)`", in: evidence) {
                // Scripts must exist; a --filter must select at least one test that exists.
                if let script = command.split(separator: " ").first.map(String.init),
                    script.hasPrefix("scripts/") || script.hasPrefix("bench/") || script.hasPrefix(".venv")
                {
                    let file = script.hasPrefix(".venv") ? "scripts/browser_check.py" : script
                    if !Self.exists(file) { problems.append("\(line): \(file) does not exist") }
                }
                for filter in try Self.matches(#"--filter '?([^' ]+)'?"#, in: command) {
                    for part in filter.split(separator: "|") {
                        let wanted = part.split(separator: "/").last.map(String.init) ?? String(part)
                        if !names.contains(where: { $0.contains(wanted) }) {
                            problems.append("\(line): --filter \(part) selects no test")
                        }
                    }
                }
            }
        }
        #expect(ticked > 0)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
