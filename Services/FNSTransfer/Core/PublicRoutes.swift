import Foundation
import Hummingbird
import Models
import Postgres

/// The public routes of the FNS service (the portal's "Dados Gerais" page), added to the service's
/// HTTP endpoint next to /health and /metrics:
///
/// - `GET /publico/dados-gerais`: the page (HTML, charts as inline SVG);
/// - `GET /publico/dados-gerais.csv` and `GET /publico/demonstrativo-repasse.csv`: the data;
/// - `GET /publico/estilo.css`: the style sheet.
///
/// Every answer carries security headers: a strict Content-Security-Policy (no scripts, no inline
/// styles, no framing), `nosniff`, no referrer.
public enum FNSPublicRoutes {
    public static func register(on router: Router<BasicRequestContext>, database: PostgresPool,
                                settings: FNSSettings = .standard, today: @escaping @Sendable () -> CivilDate) {
        router.get("publico/dados-gerais") { _, _ in
            let asOf = today()
            let figures = try await database.withConnection { try PublicFigures.load(asOf: asOf, settings: settings, on: $0) }
            return response(PublicPage.html(figures), type: "text/html; charset=utf-8")
        }
        router.get("publico/dados-gerais.csv") { _, _ in
            let dados = try await database.withConnection { try FNSReports.dadosGerais(on: $0) }
            return response(PublicPage.dadosGeraisCSV(dados), type: "text/csv; charset=utf-8", download: "dados-gerais.csv")
        }
        router.get("publico/demonstrativo-repasse.csv") { _, _ in
            let asOf = today()
            let figures = try await database.withConnection { try PublicFigures.load(asOf: asOf, settings: settings, on: $0) }
            return response(PublicPage.demonstrativoCSV(figures.demonstrativos), type: "text/csv; charset=utf-8",
                            download: "demonstrativo-repasse.csv")
        }
        router.get("publico/estilo.css") { _, _ in
            response(PublicPage.css, type: "text/css; charset=utf-8")
        }
    }

    /// The headers every public answer carries.
    public static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy",
         "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cache-Control", "no-cache"),
    ]

    static func response(_ body: String, type: String, download filename: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        for header in securityHeaders {
            if let name = HTTPFields.Element.Name(header.name) { headers[name] = header.value }
        }
        if let filename { headers[.contentDisposition] = "attachment; filename=\"\(filename)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
