extension PDFDocumentBuilder {
    /// The finished PDF file. Page content is Flate-compressed unless `compressingStreams` is false
    /// (plain streams are handy for inspecting the output). Rendering does not change the builder.
    public func render(compressingStreams: Bool = true) -> [UInt8] {
        var file = PDFSerializer()
        let catalog = file.reserve(), pageTree = file.reserve(), infoObject = file.reserve()
        let typefaces = PDFTypeface.allCases
        var fontObjects: [PDFTypeface: Int] = [:]
        for typeface in typefaces { fontObjects[typeface] = file.reserve() }
        let fontNames = Dictionary(uniqueKeysWithValues: typefaces.enumerated().map { ($1, "F\($0 + 1)") })
        let painter = PagePainter(pageHeight: pageSize.height, fontName: { fontNames[$0] ?? "F1" })

        let fonts = typefaces.map { "/\(fontNames[$0]!) \(fontObjects[$0]!) 0 R" }.joined(separator: " ")
        let n = PDFSyntax.number
        let mediaBox = "[0 0 \(n(pageSize.width)) \(n(pageSize.height))]"
        var pageObjects: [Int] = []
        for (index, body) in pages.enumerated() {
            let drawings = body + decorations(page: index + 1, count: pages.count)
            let pageObject = file.reserve(), contentObject = file.reserve()
            pageObjects.append(pageObject)
            file.writeStream(contentObject, data: painter.contentStream(drawings), compressed: compressingStreams)
            let annotations = painter.annotations(drawings).map { annotation -> Int in
                let object = file.reserve()
                file.write(object, annotation)
                return object
            }
            var page = "<< /Type /Page /Parent \(pageTree) 0 R /MediaBox \(mediaBox)"
            page += " /Resources << /Font << \(fonts) >> /ProcSet [/PDF /Text] >> /Contents \(contentObject) 0 R"
            if !annotations.isEmpty {
                page += " /Annots [\(annotations.map { "\($0) 0 R" }.joined(separator: " "))]"
            }
            file.write(pageObject, page + " >>")
        }

        for typeface in typefaces {
            file.write(fontObjects[typeface]!,
                "<< /Type /Font /Subtype /Type1 /BaseFont /\(typeface.baseFontName) /Encoding /WinAnsiEncoding >>")
        }
        let kids = pageObjects.map { "\($0) 0 R" }.joined(separator: " ")
        file.write(pageTree, "<< /Type /Pages /Kids [\(kids)] /Count \(pageObjects.count) >>")
        file.write(catalog,
            "<< /Type /Catalog /Pages \(pageTree) 0 R /Lang \(PDFSyntax.textString(info.language))"
                + " /ViewerPreferences << /DisplayDocTitle true >> >>")
        file.write(infoObject, infoDictionary())
        return file.finish(root: catalog, info: infoObject)
    }

    private func infoDictionary() -> String {
        var entries = [("Title", info.title), ("Author", info.author), ("Producer", info.producer)]
        if let subject = info.subject { entries.append(("Subject", subject)) }
        if let creator = info.creator { entries.append(("Creator", creator)) }
        entries.append(("CreationDate", info.creationDate.pdfString))
        entries.append(("ModDate", info.creationDate.pdfString))
        return "<< " + entries.map { "/\($0.0) \(PDFSyntax.textString($0.1))" }.joined(separator: " ") + " >>"
    }
}
