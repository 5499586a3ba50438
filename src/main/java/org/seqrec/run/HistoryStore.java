package org.seqrec.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.seqrec.data.Dataset;
import org.seqrec.util.SeqrecException;

/**
 * Every user's history in original ids, oldest first, in an embedded SQLite database inside the run
 * ({@code histories.db}): the run's training users with their full sequences, plus the events appended
 * since ({@link #append}), which are durable when {@code append} returns and survive restarts. Serving
 * recommends by user id from it. Thread-safe: one connection, each call a short critical section (a
 * lookup reads one user's rows through the primary key; measured in {@code bench/results/history-store.md}).
 */
public final class HistoryStore implements AutoCloseable {
    /** One interaction to append: a user and an item, in original ids. */
    public record Event(String user, String item) {}

    private static final String INSERT = "INSERT INTO events (user_id, seq, item) VALUES (?, ?, ?)";

    private final Path file;
    private final Connection db;
    private final PreparedStatement lookup;
    private final PreparedStatement last;
    private final PreparedStatement insert;

    private HistoryStore(Path file, Connection db) throws SQLException {
        this.file = file;
        this.db = db;
        this.lookup = db.prepareStatement("SELECT item FROM events WHERE user_id = ? ORDER BY seq DESC LIMIT ?");
        this.last = db.prepareStatement("SELECT MAX(seq) FROM events WHERE user_id = ?");
        this.insert = db.prepareStatement(INSERT);
    }

    /** Writes a new store at {@code file} holding every user of {@code data} with their full sequences, and opens it. */
    public static HistoryStore create(Path file, Dataset data) {
        write(file, data);
        return open(file);
    }

    /**
     * Writes a new store at {@code file} holding every user of {@code data} with their full sequences (atomically: a
     * temporary file renamed).
     */
    public static void write(Path file, Dataset data) {
        try {
            Files.deleteIfExists(file);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try (Connection db = connect(tmp); Statement st = db.createStatement()) {
                st.execute("CREATE TABLE events (user_id TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL,"
                        + " PRIMARY KEY (user_id, seq)) WITHOUT ROWID");
                insertAll(db, data);
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (SQLException | java.io.IOException e) {
            throw new SeqrecException("cannot write the history store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Inserts every user's sequence of {@code data} into the {@code events} table of {@code db} (user id, position,
     * item id, in original ids), {@link #ROWS_PER_INSERT} rows per statement (the rest one by one, batched), as one
     * transaction. Plain JDBC: {@code bench/history-store.sh} loads each candidate database with it.
     */
    public static void insertAll(Connection db, Dataset data) throws SQLException {
        db.setAutoCommit(false);
        StringBuilder sql = new StringBuilder(INSERT);
        for (int r = 1; r < ROWS_PER_INSERT; r++) {
            sql.append(", (?, ?, ?)");
        }
        try (PreparedStatement many = db.prepareStatement(sql.toString()); PreparedStatement one = db.prepareStatement(INSERT)) {
            long total = data.numInteractions();
            long full = total - total % ROWS_PER_INSERT; // rows that go through `many`
            long row = 0;
            int k = 0;
            for (int u = 0; u < data.numUsers(); u++) {
                String user = data.originalUserId(u);
                int[] seq = data.sequence(u);
                for (int i = 0; i < seq.length; i++, row++) {
                    String item = data.itemMap().original(seq[i]);
                    if (row < full) {
                        many.setString(3 * k + 1, user);
                        many.setInt(3 * k + 2, i);
                        many.setString(3 * k + 3, item);
                        if (++k == ROWS_PER_INSERT) {
                            many.executeUpdate();
                            k = 0;
                        }
                    } else {
                        one.setString(1, user);
                        one.setInt(2, i);
                        one.setString(3, item);
                        one.addBatch();
                    }
                }
            }
            one.executeBatch();
        }
        db.commit();
        db.setAutoCommit(true);
    }

    /**
     * Rows per INSERT of {@link #insertAll}: fewer statements for the driver to step through than one per row; building
     * the store is most of a large training run's start-up (bench/history-build.sh, bench/results/history-build.md).
     */
    public static final int ROWS_PER_INSERT = 64;

    /** Opens an existing store for reading and appending. */
    public static HistoryStore open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SeqrecException(file + " does not exist: this run keeps no user histories (trained before they were kept;"
                    + " recommend by history instead)");
        }
        try {
            return new HistoryStore(file, connect(file));
        } catch (SQLException e) {
            throw new SeqrecException("cannot open the history store " + file + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL"); // readers never wait for the writer
            st.execute("PRAGMA synchronous=FULL"); // an append that returned survives a power cut
        }
        return c;
    }

    /** The user's history (original item ids, oldest first), or empty when the store does not know the user. */
    public Optional<List<String>> history(String user) {
        return history(user, Integer.MAX_VALUE);
    }

    /**
     * The user's {@code limit} most recent items (original ids, oldest first), or empty when the store does not
     * know the user: a bounded read however many events a user has.
     */
    public synchronized Optional<List<String>> history(String user, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        try {
            lookup.setString(1, user);
            lookup.setInt(2, limit);
            List<String> items = new ArrayList<>();
            try (ResultSet rs = lookup.executeQuery()) {
                while (rs.next()) {
                    items.add(rs.getString(1));
                }
            }
            java.util.Collections.reverse(items); // read newest first for the limit
            return items.isEmpty() ? Optional.empty() : Optional.of(items);
        } catch (SQLException e) {
            throw new SeqrecException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code events} in order, all or none; durable when this returns. A new user is created by its first event. */
    public synchronized void append(List<Event> events) {
        try {
            db.setAutoCommit(false);
            try {
                java.util.Map<String, Integer> next = new java.util.HashMap<>();
                for (Event e : events) {
                    int seq = next.computeIfAbsent(e.user(), this::nextSeq);
                    insert.setString(1, e.user());
                    insert.setInt(2, seq);
                    insert.setString(3, e.item());
                    insert.executeUpdate();
                    next.put(e.user(), seq + 1);
                }
                db.commit();
            } catch (SQLException | RuntimeException ex) {
                db.rollback();
                throw ex;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new SeqrecException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    private int nextSeq(String user) {
        try {
            last.setString(1, user);
            try (ResultSet rs = last.executeQuery()) {
                rs.next();
                int max = rs.getInt(1);
                return rs.wasNull() ? 0 : max + 1;
            }
        } catch (SQLException e) {
            throw new SeqrecException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new SeqrecException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}
