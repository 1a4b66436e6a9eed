package dev.tieredcache.sample;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;

import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The tour on the {@code postgres} profile, against the PostgreSQL server of this kind of
 * machine (127.0.0.1:5432, database {@code test}, trust authentication), which
 * {@code .ci/run} makes sure answers. Each run creates the schema in its own PostgreSQL
 * schema, dropped at the end, so that runs are deterministic and never see each other.
 */
@ActiveProfiles("postgres")
class PostgresDirectoryTests extends AbstractDirectoryTests {

	private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";

	private static final String SCHEMA = "sample_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	@DynamicPropertySource
	static void ownSchema(DynamicPropertyRegistry registry) throws SQLException {
		execute("CREATE SCHEMA " + SCHEMA);
		registry.add("spring.datasource.url", () -> SERVER + "?currentSchema=" + SCHEMA);
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
	}

	private static void execute(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
