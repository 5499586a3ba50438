package org.seqrec.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.run.HistoryStore;
import org.seqrec.util.Json;

/**
 * Building a run's history store (SQLite, every interaction a row) the way {@link HistoryStore#write} does, against one
 * INSERT per row in JDBC batches (how it was written before), interleaved in one JVM: median seconds of each.
 * Args: DATA REPS OUT_PREFIX. Run by bench/history-build.sh.
 */
public final class HistoryStoreBuild {
    private HistoryStoreBuild() {}

    static void onePerRow(Path file, Dataset data) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = db.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            st.execute("CREATE TABLE events (user_id TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL, PRIMARY KEY (user_id, seq))"
                    + " WITHOUT ROWID");
            db.setAutoCommit(false);
            try (PreparedStatement ins = db.prepareStatement("INSERT INTO events (user_id, seq, item) VALUES (?, ?, ?)")) {
                for (int u = 0; u < data.numUsers(); u++) {
                    int[] seq = data.sequence(u);
                    for (int i = 0; i < seq.length; i++) {
                        ins.setString(1, data.originalUserId(u));
                        ins.setInt(2, i);
                        ins.setString(3, data.itemMap().original(seq[i]));
                        ins.addBatch();
                    }
                    if (u % 1024 == 1023) {
                        ins.executeBatch();
                    }
                }
                ins.executeBatch();
            }
            db.commit();
        }
    }

    public static void main(String[] args) throws Exception {
        Dataset data = DataSource.fmlp(Path.of(args[0])).load();
        int reps = Integer.parseInt(args[1]);
        String prefix = args[2];
        Path dir = Files.createTempDirectory("history-build");
        List<Double> before = new ArrayList<>();
        List<Double> now = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            Path a = dir.resolve("before-" + r + ".db");
            Path b = dir.resolve("now-" + r + ".db");
            long t0 = System.nanoTime();
            onePerRow(a, data);
            long t1 = System.nanoTime();
            HistoryStore.write(b, data);
            long t2 = System.nanoTime();
            before.add((t1 - t0) / 1e9);
            now.add((t2 - t1) / 1e9);
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
        double mb = Medians.of(before);
        double mn = Medians.of(now);
        String load = BenchResults.load1();
        var out = Json.object();
        out.put("data", args[0]);
        out.put("users", data.numUsers());
        out.put("rows", data.numInteractions());
        out.put("one_row_per_insert_seconds_median", mb);
        out.put("history_store_write_seconds_median", mn);
        out.put("reps", reps);
        out.put("load1_at_end", load);
        out.set("one_row_per_insert_seconds", Json.MAPPER.valueToTree(before));
        out.set("history_store_write_seconds", Json.MAPPER.valueToTree(now));
        String md = String.format("Building the history store of %d users / %d rows (`bench/history-build.sh`, one JVM, %d interleaved rounds;"
                + " load %s at the end): one INSERT per row in JDBC batches %.2f s, `HistoryStore.write` (%d rows per INSERT) %.2f s"
                + " (medians; %.2fx).%n", data.numUsers(), data.numInteractions(), reps, load, mb, HistoryStore.ROWS_PER_INSERT, mn, mb / mn);
        BenchResults.write(prefix, out, md);
    }
}
