import Foundation
import Postgres
import Testing

@Suite struct ConfigurationTests {
    @Test func urlWithPercentEncodedSpecialCharacters() throws {
        let configuration = try PostgresConfiguration(
            connectionString: "postgresql://app%40user:p%40ss%3Aw%2Fo%20rd%23%3F@db.example:6543/my%20db%2Fx?sslmode=disable&connect_timeout=3"
        )
        #expect(configuration.user == "app@user")
        #expect(configuration.password == "p@ss:w/o rd#?")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "my db/x")
        #expect(configuration.parameters["sslmode"] == "disable")
        #expect(configuration.parameters["connect_timeout"] == "3")
    }

    @Test func keyValueConnectionString() throws {
        let configuration = try PostgresConfiguration(
            connectionString: #"host=localhost port=5433 user=bob password='it\'s a \\ test' dbname='my db'"#
        )
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 5433)
        #expect(configuration.user == "bob")
        #expect(configuration.password == #"it's a \ test"#)
        #expect(configuration.database == "my db")
    }

    @Test func invalidConnectionStringIsRejected() {
        #expect {
            try PostgresConfiguration(connectionString: "postgresql://host:notaport:x/db?=")
        } throws: { ($0 as? PostgresError)?.kind == .invalidConfiguration }
        #expect {
            try PostgresConfiguration(connectionString: "host=localhost bogus_keyword=1")
        } throws: { ($0 as? PostgresError)?.kind == .invalidConfiguration }
    }

    @Test func descriptionHidesThePassword() throws {
        let configuration = try PostgresConfiguration(connectionString: "postgresql://u:s3cret@h/db")
        #expect(!configuration.description.contains("s3cret"))
        #expect(configuration.description.contains("password=***"))
    }

    @Test func sessionUsesSchemaApplicationNameAndUTC() async throws {
        try await TestDatabase.withSchema { pool, schema in
            let settings = try await pool.withConnection { connection in
                let row = try connection.query(
                    "SELECT current_schema(), current_setting('application_name'), current_setting('TimeZone')"
                )[0]
                return [try row.decode(String.self, at: 0), try row.decode(String.self, at: 1), try row.decode(String.self, at: 2)]
            }
            #expect(settings == [schema, "ressus-postgres-tests", "UTC"])
        }
    }

    @Test("settings apply to every connection, next to the options the URL gives")
    func settingsApplyToEveryConnection() async throws {
        var configuration = try PostgresConfiguration(connectionString: try TestDatabase.url())
        configuration.parameters["options"] = "-c work_mem=7MB"
        configuration.settings = ["jit": "off", "statement_timeout": "12345"]
        let pool = PostgresPool(configuration: configuration, options: .init(size: 1))
        let values = try await pool.withConnection { connection in
            let row = try connection.query(
                "SELECT current_setting('jit'), current_setting('statement_timeout'), current_setting('work_mem'), current_setting('TimeZone')")[0]
            return try (0..<4).map { try row.decode(String.self, at: $0) }
        }
        await pool.close()
        #expect(values == ["off", "12345ms", "7MB", "UTC"])
    }

    /// A real login through a URL whose user, password and database hold every awkward character,
    /// against a private cluster that checks passwords (scram-sha-256).
    @Test func connectsWithSpecialCharactersInUserPasswordAndDatabase() async throws {
        let cluster = try await onOwnThread { try PrivateCluster(hostAuthentication: "scram-sha-256") }
        defer { cluster.destroy() }
        let user = "app user@x"
        let password = #"p@ss:w/o rd'"\ #?%&=é"#
        let database = "ressus db/ç?#"
        var socketSettings = cluster.configuration()
        socketSettings.parameters["host"] = cluster.directory // trusted unix socket, as superuser
        let admin = try PostgresConnection(configuration: socketSettings)
        for template in ["CREATE ROLE %I LOGIN PASSWORD %L", "CREATE DATABASE %I OWNER %I"] {
            let arguments = template.hasPrefix("CREATE ROLE") ? [user, password] : [database, user]
            // Utility statements take no bind parameters: the server itself quotes the names (format %I/%L).
            let statement: String = try admin.query("SELECT format($1, $2::text, $3::text)", [template] + arguments)[0].decode(at: 0)
            try admin.executeScript(statement)
        }
        admin.close()

        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved)! }
        let url = "postgresql://\(encoded(user)):\(encoded(password))@127.0.0.1:\(cluster.port)/\(encoded(database))"
        let connection = try PostgresConnection(configuration: try PostgresConfiguration(connectionString: url))
        let row = try connection.query("SELECT current_user::text, current_database()::text")[0]
        #expect(try row.decode(String.self, at: 0) == user)
        #expect(try row.decode(String.self, at: 1) == database)

        var wrongPassword = try PostgresConfiguration(connectionString: url)
        wrongPassword.parameters["password"] = password + "x"
        #expect {
            try PostgresConnection(configuration: wrongPassword)
        } throws: { ($0 as? PostgresError)?.kind == .connectionFailed }
    }
}
