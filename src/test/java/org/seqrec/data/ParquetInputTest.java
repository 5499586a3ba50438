package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures.CliResult;
import org.seqrec.testutil.Fixtures;

/** Parquet and JSON-lines logs give the same sequences as the same log in CSV. */
class ParquetInputTest {
    @TempDir Path dir;

    private record Row(String user, String item, long time, float rating) {}

    /** 40 users, 30 items, 8 rows each with ties in time and repeats, deterministic. */
    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        long x = 11;
        for (int u = 0; u < 40; u++) {
            for (int k = 0; k < 8; k++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                int item = (int) Math.floorMod(x >>> 35, 30);
                long t = 1_600_000_000L + Math.floorMod(x >>> 20, 50) * 3600L; // ties on purpose
                rows.add(new Row("user-" + u, "sku" + item, t, 1 + Math.floorMod(x >>> 50, 5)));
            }
        }
        return rows;
    }

    private Path csv(List<Row> rows, boolean iso) {
        StringBuilder sb = new StringBuilder("user_id,item_id,timestamp,rating\n");
        for (Row r : rows) {
            sb.append(r.user).append(',').append(r.item).append(',')
                    .append(iso ? Instant.ofEpochSecond(r.time).toString() : Long.toString(r.time)).append(',').append(r.rating).append('\n');
        }
        return Fixtures.write(dir, iso ? "iso.csv" : "log.csv", sb.toString());
    }

    /** The same rows as Parquet, written with DuckDB (the library seqrec reads Parquet with); the time as int64 or TIMESTAMP. */
    private Path parquet(List<Row> rows, boolean timestampType) throws SQLException {
        Path out = dir.resolve(timestampType ? "ts.parquet" : "log.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE log(user_id VARCHAR, item_id VARCHAR, timestamp " + (timestampType ? "TIMESTAMP" : "BIGINT")
                    + ", rating FLOAT)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO log VALUES (?, ?, " + (timestampType ? "to_timestamp(?)" : "?") + ", ?)")) {
                for (Row r : rows) {
                    ps.setString(1, r.user);
                    ps.setString(2, r.item);
                    ps.setLong(3, r.time);
                    ps.setFloat(4, r.rating);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            st.execute("COPY log TO '" + out + "' (FORMAT parquet)");
        }
        return out;
    }

    private void convert(Path in, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("data", "convert", "--data", in.toString(), "--out", out.toString(), "--kcore", "2"));
        args.addAll(List.of(extra));
        CliResult r = Fixtures.cli(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    private static void assertSameFiles(Path a, Path b) throws IOException {
        assertThat(Files.readAllBytes(b)).as(b.toString()).isEqualTo(Files.readAllBytes(a));
        assertThat(Files.readAllBytes(Dataset.itemMapPath(b))).isEqualTo(Files.readAllBytes(Dataset.itemMapPath(a)));
        assertThat(Files.readAllBytes(Dataset.userMapPath(b))).isEqualTo(Files.readAllBytes(Dataset.userMapPath(a)));
    }

    @Test
    void parquetConvertsByteIdenticallyToTheSameCsv() throws Exception {
        List<Row> rows = rows();
        Path fromCsv = dir.resolve("csv/out.txt");
        Path fromPq = dir.resolve("pq/out.txt");
        Path fromTs = dir.resolve("ts/out.txt");
        Files.createDirectories(fromCsv.getParent());
        Files.createDirectories(fromPq.getParent());
        Files.createDirectories(fromTs.getParent());
        convert(csv(rows, false), fromCsv, "--min-rating", "2");
        convert(parquet(rows, false), fromPq, "--min-rating", "2");
        convert(parquet(rows, true), fromTs, "--min-rating", "2");
        assertThat(Files.readAllLines(fromCsv)).hasSizeGreaterThan(10);
        assertSameFiles(fromCsv, fromPq);
        assertSameFiles(fromCsv, fromTs); // a TIMESTAMP column orders as the epoch seconds do
        Path fromIso = dir.resolve("iso/out.txt");
        Files.createDirectories(fromIso.getParent());
        convert(csv(rows, true), fromIso, "--min-rating", "2");
        assertSameFiles(fromCsv, fromIso);
    }

    @Test
    void parquetColumnsByNameOrIndexAndJsonLines() throws Exception {
        List<Row> rows = rows();
        Path pq = parquet(rows, false);
        Path fromCsv = dir.resolve("a/out.txt");
        Path byIndex = dir.resolve("b/out.txt");
        Path fromJson = dir.resolve("c/out.txt");
        for (Path p : List.of(fromCsv, byIndex, fromJson)) {
            Files.createDirectories(p.getParent());
        }
        convert(csv(rows, false), fromCsv);
        convert(pq, byIndex, "--user-col", "0", "--item-col", "1", "--time-col", "2");
        assertSameFiles(fromCsv, byIndex);
        StringBuilder sb = new StringBuilder();
        for (Row r : rows) {
            sb.append("{\"user_id\": \"").append(r.user).append("\", \"item_id\": \"").append(r.item).append("\", \"timestamp\": ")
                    .append(r.time).append("}\n");
        }
        convert(Fixtures.write(dir, "log.jsonl", sb.toString()), fromJson);
        assertSameFiles(fromCsv, fromJson);
    }

    @Test
    void badParquetRowsFollowTheErrorPolicy() throws Exception {
        Path pq = dir.resolve("bad.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT * FROM (VALUES ('u1', 'a', '2020-01-01'), ('u1', 'b', 'soon'), ('u1', NULL, '2020-01-03'),"
                    + " ('u1', 'c', '2020-01-02')) t(user_id, item_id, timestamp)) TO '" + pq + "' (FORMAT parquet)");
        }
        CliResult strict = Fixtures.cli("data", "convert", "--data", pq.toString(), "--out", dir.resolve("s.txt").toString(), "--kcore", "1");
        assertThat(strict.exitCode()).isEqualTo(2);
        assertThat(strict.err()).contains(pq + ":2: timestamp 'soon'");
        CliResult lax = Fixtures.cli("data", "convert", "--data", pq.toString(), "--out", dir.resolve("l.txt").toString(), "--kcore", "1",
                "--max-errors", "2");
        assertThat(lax.exitCode()).as(lax.err()).isZero();
        assertThat(lax.out()).contains("rows read 4, kept 2, rejected 2 (bad-timestamp 1, empty-id 1)");
        // a (Jan 1) then c (Jan 2): items 1, 2
        assertThat(Files.readString(dir.resolve("l.txt"))).isEqualTo("1 1 2\n");
        assertThat(Files.readAllLines(dir.resolve("l.rejects.tsv"))).containsExactly("file\tline\treason\tmessage\traw",
                pq + "\t2\tbad-timestamp\ttimestamp 'soon' is neither a number nor an ISO-8601 date (use --time-format PATTERN, or --time-col"
                        + " none to keep file order)\tu1\\tb\\tsoon",
                pq + "\t3\tempty-id\tempty user or item id\tu1\\t\\t2020-01-03");
    }
}
