package org.seqrec.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.seqrec.data.Dataset;
import org.seqrec.data.FmlpReader;
import org.seqrec.run.HistoryStore;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/**
 * The candidates for the per-user history store, through the same JDBC statements: build the store from a
 * dataset (every user's sequence, one row per event), look up random users' histories, append single
 * events each in its own durable transaction, reopen. Latency percentiles in microseconds.
 * Args: DATA OUT_PREFIX LOOKUPS APPENDS REPEATS. Run by bench/history-store.sh.
 */
public final class HistoryStoreBenchmark {
    record Candidate(String name, String url, String create, List<String> setup) {}

    public static void main(String[] args) throws Exception {
        Dataset data = FmlpReader.read(Path.of(args[0]));
        String prefix = args[1];
        int lookups = Integer.parseInt(args[2]);
        int appends = Integer.parseInt(args[3]);
        int repeats = Integer.parseInt(args[4]);
        Path dir = Files.createTempDirectory("history-store");
        String table = "events (user_id VARCHAR NOT NULL, seq INTEGER NOT NULL, item VARCHAR NOT NULL, PRIMARY KEY (user_id, seq))";
        List<Candidate> candidates = List.of(
                new Candidate("SQLite (sqlite-jdbc)", "jdbc:sqlite:" + dir.resolve("s.db"), "CREATE TABLE " + table + " WITHOUT ROWID",
                        List.of("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL")),
                new Candidate("H2 (MVStore)", "jdbc:h2:" + dir.resolve("h") + ";WRITE_DELAY=0", "CREATE TABLE " + table, List.of()),
                new Candidate("DuckDB (duckdb_jdbc)", "jdbc:duckdb:" + dir.resolve("d.duckdb"), "CREATE TABLE " + table, List.of()));
        ArrayNode rows = Json.MAPPER.createArrayNode();
        for (int rep = 0; rep < repeats; rep++) {
            for (Candidate c : candidates) {
                rows.add(run(c, data, lookups, appends, rep, dir));
            }
        }
        ObjectNode out = Json.object();
        out.put("data", args[0]);
        out.put("users", data.numUsers());
        out.put("events", data.numInteractions());
        out.put("lookups", lookups);
        out.put("appends", appends);
        out.put("repeats", repeats);
        out.set("runs", rows);
        Json.write(Path.of(prefix + ".json"), out);
        StringBuilder md = new StringBuilder();
        md.append("| store | rep | build s | file MB | lookup p50 µs | lookup p99 µs | append p50 µs | append p99 µs | reopen ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        rows.forEach(r -> md.append(String.format("| %s | %d | %.2f | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f |%n", r.path("store").asText(),
                r.path("rep").asInt(), r.path("build_s").asDouble(), r.path("file_mb").asDouble(), r.path("lookup_p50_us").asDouble(),
                r.path("lookup_p99_us").asDouble(), r.path("append_p50_us").asDouble(), r.path("append_p99_us").asDouble(),
                r.path("reopen_ms").asDouble())));
        AtomicFiles.writeString(Path.of(prefix + "-runs.md"), md.toString());
    }

    static ObjectNode run(Candidate c, Dataset data, int lookups, int appends, int rep, Path dir) throws Exception {
        for (Path p : Files.list(dir).toList()) {
            Files.delete(p);
        }
        long t0 = System.nanoTime();
        try (Connection db = DriverManager.getConnection(c.url())) {
            try (Statement st = db.createStatement()) {
                for (String s : c.setup()) {
                    st.execute(s);
                }
                st.execute(c.create());
            }
            HistoryStore.insertAll(db, data);
        }
        double build = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        ObjectNode r = Json.object();
        try (Connection db = DriverManager.getConnection(c.url())) {
            double reopen = (System.nanoTime() - t1) / 1e6;
            try (Statement st = db.createStatement()) {
                for (String s : c.setup()) {
                    st.execute(s);
                }
            }
            SplittableRandom rng = new SplittableRandom(42 + rep);
            long[] lookup = new long[lookups];
            long checksum = 0;
            try (PreparedStatement q = db.prepareStatement("SELECT item FROM events WHERE user_id = ? ORDER BY seq")) {
                for (int i = 0; i < lookups; i++) {
                    String user = data.originalUserId(rng.nextInt(data.numUsers()));
                    long s = System.nanoTime();
                    List<String> items = new ArrayList<>();
                    q.setString(1, user);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            items.add(rs.getString(1));
                        }
                    }
                    lookup[i] = System.nanoTime() - s;
                    checksum += items.size();
                }
            }
            long[] append = new long[appends];
            try (PreparedStatement max = db.prepareStatement("SELECT MAX(seq) FROM events WHERE user_id = ?");
                    PreparedStatement ins = db.prepareStatement("INSERT INTO events VALUES (?, ?, ?)")) {
                for (int i = 0; i < appends; i++) {
                    String user = data.originalUserId(rng.nextInt(data.numUsers()));
                    long s = System.nanoTime();
                    db.setAutoCommit(false);
                    max.setString(1, user);
                    int next;
                    try (ResultSet rs = max.executeQuery()) {
                        rs.next();
                        next = rs.getInt(1) + 1;
                    }
                    ins.setString(1, user);
                    ins.setInt(2, next);
                    ins.setString(3, data.itemMap().original(1 + rng.nextInt(data.numItems() - 1)));
                    ins.executeUpdate();
                    db.commit();
                    db.setAutoCommit(true);
                    append[i] = System.nanoTime() - s;
                }
            }
            long bytes = 0;
            for (Path p : Files.list(dir).toList()) {
                bytes += Files.size(p);
            }
            r.put("store", c.name());
            r.put("rep", rep);
            r.put("build_s", build);
            r.put("file_mb", bytes / 1e6);
            r.put("lookup_p50_us", pct(lookup, 0.50) / 1e3);
            r.put("lookup_p99_us", pct(lookup, 0.99) / 1e3);
            r.put("append_p50_us", pct(append, 0.50) / 1e3);
            r.put("append_p99_us", pct(append, 0.99) / 1e3);
            r.put("reopen_ms", reopen);
            r.put("checksum", checksum);
        }
        return r;
    }

    static double pct(long[] v, double q) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
    }
}
