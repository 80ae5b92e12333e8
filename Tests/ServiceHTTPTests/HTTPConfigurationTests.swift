import Runtime
import Testing

@Suite struct HTTPConfigurationTests {
    let intake = ServiceDescriptor(name: "debt-calculator", schema: "debt_calculator")

    @Test func defaultsToLoopbackAndAFreePort() throws {
        let endpoint = try ServiceConfiguration.httpEndpoint(for: intake, environment: [:])
        #expect(endpoint == HTTPEndpointConfiguration(host: "127.0.0.1", port: 0))
    }

    @Test func serviceSpecificPortWinsOverTheSharedOne() throws {
        let endpoint = try ServiceConfiguration.httpEndpoint(for: intake, environment: [
            "RESSUS_HTTP_HOST": "0.0.0.0", "RESSUS_HTTP_PORT": "8080", "RESSUS_DEBT_CALCULATOR_HTTP_PORT": "8083",
        ])
        #expect(endpoint == HTTPEndpointConfiguration(host: "0.0.0.0", port: 8083))
        let shared = try ServiceConfiguration.httpEndpoint(for: intake, environment: ["RESSUS_HTTP_PORT": "8080"])
        #expect(shared.port == 8080)
    }

    @Test func invalidPortNamesTheVariable() {
        #expect {
            try ServiceConfiguration.httpEndpoint(for: intake, environment: ["RESSUS_DEBT_CALCULATOR_HTTP_PORT": "70000"])
        } throws: { error in
            "\(error)".contains("RESSUS_DEBT_CALCULATOR_HTTP_PORT must be an integer in 0...65535")
        }
    }
}
