import Hummingbird
import Logging
import Metrics
import Prometheus
import Runtime

/// The HTTP endpoint of a service, run as one more `Service` in the host's group:
///
/// - `GET /health/live`: 200 while the process runs;
/// - `GET /health/ready` and `GET /health`: 200 with `{"status":"ok",…}` when ready, 503 with
///   `"degraded"` otherwise (see `HealthChecks`);
/// - `GET /metrics`: the Prometheus text format of `registry`;
/// - whatever `routes` adds (a service's own pages).
///
/// Logs `http listening` with the bound host and port (useful when the port is 0, i.e. chosen
/// by the system).
public enum HTTPEndpoint {
    public static func makeApplication(
        configuration: HTTPEndpointConfiguration, health: HealthChecks,
        registry: PrometheusCollectorRegistry, logger: Logger,
        routes: (Router<BasicRequestContext>) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestCounter())
        router.get("health/live") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        let ready: @Sendable (Request, BasicRequestContext) async -> Response = { _, _ in
            let report = await health.report()
            return Response(status: report.isReady ? .ok : .serviceUnavailable,
                            headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: report.json)))
        }
        router.get("health/ready", use: ready)
        router.get("health", use: ready)
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        routes(router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                health.readiness.markListening()
                logger.info("http listening", metadata: [
                    "host": "\(configuration.host)", "port": "\(channel.localAddress?.port ?? configuration.port)",
                ])
            },
            logger: logger
        )
    }
}

/// Counts requests in `ressus_http_requests_total` by route, method and status.
struct RequestCounter<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            count(request, context: context, status: response.status)
            return response
        } catch {
            count(request, context: context, status: (error as? any HTTPResponseError)?.status ?? .internalServerError)
            throw error
        }
    }

    private func count(_ request: Request, context: Context, status: HTTPResponse.Status) {
        Counter(label: ServiceMetrics.httpRequests, dimensions: [
            ("path", context.endpointPath ?? "unmatched"),
            ("method", request.method.rawValue),
            ("status", String(status.code)),
        ]).increment()
    }
}
