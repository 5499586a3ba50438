package org.seqrec.data;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

/**
 * Reads Parquet and JSON-lines logs through embedded DuckDB ({@code read_parquet}, {@code read_json}),
 * with the column options of CSV: columns by name or 0-based index, the timestamp as a number, a string
 * in {@code --time-format}, or a Parquet/JSON date or timestamp (epoch seconds, UTC), an optional rating.
 * Ids are read as text, so an integer id column gives the same ids as in a CSV. Errors name the file and
 * the row (1-based, in file order), and bad rows follow the same {@link RowErrors} policy as CSV.
 * Chosen over parquet-java and Arrow in {@code bench/results/parquet-readers.md}.
 */
final class DuckDbLogReader {
    private static final TimeParser EPOCH = new TimeParser("epoch");

    private DuckDbLogReader() {}

    static boolean handles(LogFormat format) {
        return format.preset.equals("parquet") || format.preset.equals("jsonl");
    }

    static void read(Path file, LogFormat format, RowErrors errors, LogSink log) {
        String source = format.preset.equals("parquet") ? "read_parquet(?)" : "read_json(?, format = 'newline_delimited')";
        TimeParser times = new TimeParser(format.timeFormat);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            List<String> names = new ArrayList<>();
            List<String> types = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("DESCRIBE SELECT * FROM " + source)) {
                ps.setString(1, file.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString("column_name"));
                        types.add(rs.getString("column_type").toUpperCase(Locale.ROOT));
                    }
                }
            }
            int u = column(file, format.userCol, names, "user", true);
            int i = column(file, format.itemCol, names, "item", true);
            int t = column(file, format.timeCol, names, "time", false);
            int r = column(file, format.ratingCol, names, "rating", false);
            boolean temporal = t >= 0 && (types.get(t).startsWith("TIMESTAMP") || types.get(t).equals("DATE"));
            String sql = "SELECT " + text(names, u) + ", " + text(names, i) + ", "
                    + (t < 0 ? "NULL" : temporal ? "CAST(epoch_ms(CAST(" + quote(names.get(t)) + " AS TIMESTAMPTZ)) AS VARCHAR)" : text(names, t))
                    + ", " + (r < 0 ? "NULL" : text(names, r)) + " FROM " + source;
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + source)) {
                ps.setString(1, file.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            try (ProgressBar bar = Progress.bar("read " + file.getFileName(), total, "rows");
                    PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, file.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    long row = 0;
                    while (rs.next()) {
                        row++;
                        bar.step();
                        errors.row();
                        String us = rs.getString(1);
                        String is = rs.getString(2);
                        String ts = t < 0 ? null : rs.getString(3);
                        String rts = r < 0 ? null : rs.getString(4);
                        try {
                            if (ts == null && t >= 0) {
                                throw new RowErrors.BadRow(RowErrors.TIME, "the timestamp is null");
                            }
                            // a date or timestamp column arrives as epoch milliseconds
                            String seconds = temporal ? Double.toString(Long.parseLong(ts) / 1000.0) : ts;
                            LogReader.addRow(log, nz(us), nz(is), seconds, rts, temporal ? EPOCH : times);
                        } catch (RowErrors.BadRow bad) {
                            errors.reject(file, row, row, bad, "", nz(us) + "\t" + nz(is) + "\t" + nz(ts) + (r < 0 ? "" : "\t" + nz(rts)));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new SeqrecException("cannot read " + file + " as " + format.preset + ": " + e.getMessage(), e);
        } finally {
            errors.writeRejects();
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    private static String text(List<String> names, int col) {
        return "CAST(" + quote(names.get(col)) + " AS VARCHAR)";
    }

    /** The column's index from a name or a 0-based index, -1 for an absent optional one. */
    private static int column(Path file, String spec, List<String> names, String what, boolean required) {
        if (spec == null || spec.equals(LogFormat.NONE)) {
            if (required) {
                throw new SeqrecException(file + ": no " + what + " column given");
            }
            return -1;
        }
        if (!spec.isEmpty() && spec.chars().allMatch(Character::isDigit)) {
            int idx = Integer.parseInt(spec);
            if (idx >= names.size()) {
                throw new SeqrecException(file + ": the " + what + " column " + idx + " does not exist (columns " + names + ")");
            }
            return idx;
        }
        int idx = names.indexOf(spec);
        if (idx < 0) {
            if (what.equals("rating")) {
                return -1;
            }
            throw new SeqrecException(file + ": no " + what + " column named '" + spec + "' in " + names + " (set it with --" + what
                    + "-col NAME|INDEX" + (what.equals("time") ? ", or 'none'" : "") + ")");
        }
        return idx;
    }
}
