package org.seqrec.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.SeqrecException;

/**
 * The ingestion error policy of a log reader and its tally. With {@code maxErrors} 0 (the default)
 * the first bad row aborts with {@code FILE:LINE: reason}; with N &gt; 0 up to N bad rows are skipped,
 * counted by reason and, when a rejects file is given, written to it (one row per rejected line:
 * file, line, reason, message, the raw line with tab, newline, carriage return and backslash escaped
 * as {@code \t \n \r \\}); the (N+1)-th aborts. File-level problems (a missing column, an unreadable
 * file) always abort. Not thread-safe: one per read.
 */
public final class RowErrors {
    /** Why a row was rejected: the keys of {@link #byReason()}. */
    public static final String COLUMNS = "missing-column";
    public static final String EMPTY_ID = "empty-id";
    public static final String CONTROL = "control-character";
    public static final String TIME = "bad-timestamp";
    public static final String RATING = "bad-rating";

    /** One rejected row; {@code raw} is filled in after parsing (null until then). */
    public static final class Reject {
        final Path file;
        final long line;
        final long lastLine;
        final String reason;
        final String message;
        String raw;

        Reject(Path file, long line, long lastLine, String reason, String message, String raw) {
            this.file = file;
            this.line = line;
            this.lastLine = lastLine;
            this.reason = reason;
            this.message = message;
            this.raw = raw;
        }

        public long line() {
            return line;
        }

        public String reason() {
            return reason;
        }

        public String raw() {
            return raw;
        }
    }

    /** A bad row: its reason key and the message shown for it. */
    static final class BadRow extends RuntimeException {
        final String reason;

        BadRow(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    private final long maxErrors;
    private final Path rejectsFile;
    private long rows;
    private final Map<String, Long> byReason = new TreeMap<>();
    private final List<Reject> rejects = new ArrayList<>();

    /**
     * @param maxErrors how many bad rows are skipped before the read aborts (0: the first aborts)
     * @param rejectsFile where the rejected rows are written (only when there are some); null: nowhere
     */
    public RowErrors(long maxErrors, Path rejectsFile) {
        if (maxErrors < 0) {
            throw new SeqrecException("--max-errors must be 0 or more, got " + maxErrors);
        }
        this.maxErrors = maxErrors;
        this.rejectsFile = rejectsFile;
    }

    public static RowErrors strict() {
        return new RowErrors(0, null);
    }

    void row() {
        rows++;
    }

    /**
     * Records a bad row spanning lines {@code line..lastLine}; throws when the policy is strict or the
     * budget is spent. {@code raw} may be null (filled later by the reader).
     */
    void reject(Path file, long line, long lastLine, BadRow bad, String hint, String raw) {
        String message = bad.getMessage() + hint;
        if (maxErrors == 0) {
            throw SeqrecException.atLine(file, line, message);
        }
        byReason.merge(bad.reason, 1L, Long::sum);
        rejects.add(new Reject(file, line, Math.max(line, lastLine), bad.reason, message, raw));
        if (rejected() > maxErrors) {
            throw SeqrecException.atLine(file, line, message + "; more than " + maxErrors + " bad rows (--max-errors " + maxErrors
                    + "), aborted" + (rejectsFile != null ? "; the rejected rows so far are in " + rejectsFile : ""));
        }
    }

    /** Every rejected row so far, in file order. */
    public List<Reject> rejects() {
        return Collections.unmodifiableList(rejects);
    }

    /** Data rows seen (header and blank lines excluded), kept or not. */
    public long rowsRead() {
        return rows;
    }

    public long rejected() {
        return rejects.size();
    }

    public long kept() {
        return rows - rejected();
    }

    public Map<String, Long> byReason() {
        return Collections.unmodifiableMap(byReason);
    }

    public Path rejectsFile() {
        return rejectsFile;
    }

    /** Writes the rejects file when there are rejected rows and a file was given; returns whether it did. */
    boolean writeRejects() {
        if (rejectsFile == null || rejects.isEmpty()) {
            return false;
        }
        AtomicFiles.writeText(rejectsFile, w -> {
            w.write("file\tline\treason\tmessage\traw\n");
            for (Reject r : rejects) {
                w.write(escape(r.file.toString()) + "\t" + r.line + "\t" + r.reason + "\t" + escape(r.message) + "\t"
                        + escape(r.raw == null ? "" : r.raw) + "\n");
            }
        });
        return true;
    }

    /** Tab, newline, carriage return and backslash as {@code \t \n \r \\}, so that every reject is one TSV line. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@code rows read 120, kept 117, rejected 3 (bad-timestamp 2, missing-column 1); rejects in FILE}. */
    public String summary() {
        StringBuilder sb = new StringBuilder("rows read ").append(rows).append(", kept ").append(kept()).append(", rejected ")
                .append(rejected());
        if (!byReason.isEmpty()) {
            sb.append(" (");
            boolean first = true;
            for (Map.Entry<String, Long> e : byReason.entrySet()) {
                sb.append(first ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
                first = false;
            }
            sb.append(')');
        }
        if (!rejects.isEmpty()) {
            sb.append(rejectsFile != null ? "; rejected rows in " + rejectsFile : "; give --rejects FILE to keep them");
        }
        return sb.toString();
    }
}
