package org.seqrec.data;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import me.tongfei.progressbar.ProgressBar;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

/**
 * Reads an interaction log (CSV, TSV, RecBole {@code .inter}, MovieLens {@code ratings.dat},
 * Amazon ratings CSV; optionally gzip-compressed) into an {@link InteractionLog}. Every error names
 * the file and line.
 */
public final class LogReader {
    private LogReader() {}

    public static InteractionLog read(Path file, LogFormat format) {
        return read(file, format, RowErrors.strict());
    }

    /**
     * Reads a log under an error policy: bad rows abort (strict) or are skipped and tallied in
     * {@code errors}, whose rejects file (if any) is written before this returns or throws.
     */
    public static InteractionLog read(Path file, LogFormat format, RowErrors errors) {
        InteractionLog log = new InteractionLog();
        read(file, format, errors, log);
        if (log.size() == 0) {
            String hint = DuckDbLogReader.handles(format) ? "" : delimiterHint(file, format);
            throw new SeqrecException(file + ": empty dataset (no interactions)"
                    + (errors.rejected() > 0 ? ": every row was rejected (" + errors.summary() + ")" + hint : ""));
        }
        return log;
    }

    /**
     * Reads a log into {@code sink}, row by row in file order, under an error policy (see
     * {@link #read(Path, LogFormat, RowErrors)}); a log without rows leaves the sink empty. The rules of
     * {@link #addRow} apply to every format, so any sink sees exactly the rows {@code data convert} keeps.
     */
    public static void read(Path file, LogFormat format, RowErrors errors, LogSink sink) {
        SeqrecException.requireReadable(file, "interaction log");
        if (DuckDbLogReader.handles(format)) {
            DuckDbLogReader.read(file, format, errors, sink);
            return;
        }
        LogSink log = sink;
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String hint = delimiterHint(file, format);
        TimeParser times = new TimeParser(format.timeFormat);
        try {
            try (ProgressBar bar = Progress.bar("read " + file.getFileName(), bytes, "B");
                    InputStream raw = new CountingStream(Files.newInputStream(file), bar);
                    InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                    Reader reader = withoutBom(new InputStreamReader(in, StandardCharsets.UTF_8));
                    CSVParser parser = csvFormat(format).parse(reader)) {
                Columns cols = null;
                boolean first = true;
                long previousEnd = 0;
                for (CSVRecord rec : parser) {
                    long line = previousEnd + 1; // where the record starts (a quoted field may span lines)
                    previousEnd = parser.getCurrentLineNumber();
                    if (first && format.header) {
                        cols = Columns.fromHeader(file, format, rec, hint);
                        first = false;
                        continue;
                    }
                    if (first) {
                        cols = Columns.fromIndices(file, format);
                        first = false;
                    }
                    if (rec.size() == 1 && rec.get(0).isBlank()) {
                        continue;
                    }
                    errors.row();
                    try {
                        String u = field(rec, cols.user, "user");
                        String i = field(rec, cols.item, "item");
                        String ts = cols.time < 0 ? null : field(rec, cols.time, "timestamp");
                        String rs = cols.rating < 0 ? null : field(rec, cols.rating, "rating");
                        addRow(log, u, i, ts, rs, times);
                    } catch (RowErrors.BadRow bad) {
                        errors.reject(file, line, previousEnd, bad, bad.reason.equals(RowErrors.COLUMNS) ? hint : "", null);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                throw new SeqrecException("cannot read " + file + ": " + e.getMessage() + hint, e);
            }
        } finally {
            if (!errors.rejects().isEmpty() && errors.rejectsFile() != null) {
                fillRawLines(file, errors.rejects());
                errors.writeRejects();
            }
        }
    }

    /** A hint for error messages when the file's first line looks separated by another delimiter than {@code format}'s. */
    private static String delimiterHint(Path file, LogFormat format) {
        String looksLike = sniffDelimiter(firstLine(file));
        return looksLike != null && !looksLike.equals(format.delimiter)
                ? " (the first line looks " + delimiterName(looksLike) + "-separated: try --delimiter '" + printable(looksLike) + "')" : "";
    }

    /**
     * Checks one row's fields and adds it (the rules every reader shares): non-empty printable ids, a
     * timestamp in the format {@code times} reads (null: file order), a numeric rating (null: none).
     */
    static void addRow(LogSink log, String u, String i, String ts, String rs, TimeParser times) {
        if (u.isEmpty() || i.isEmpty()) {
            throw new RowErrors.BadRow(RowErrors.EMPTY_ID, "empty user or item id");
        }
        printable(u, "user");
        printable(i, "item");
        double t = ts == null ? log.size() : times.parse(ts);
        float r = Float.NaN;
        if (rs != null) {
            try {
                r = Float.parseFloat(rs);
            } catch (NumberFormatException e) {
                throw new RowErrors.BadRow(RowErrors.RATING, "rating '" + rs + "' is not a number");
            }
        }
        log.add(u, i, t, r);
    }

    /** The delimiter a header (or first) line most likely uses: the most frequent of , ; tab | outside quotes; null if none occurs. */
    public static String sniffDelimiter(String line) {
        if (line == null) {
            return null;
        }
        String[] candidates = {",", ";", "\t", "|"};
        int[] counts = new int[candidates.length];
        boolean quoted = false;
        for (int k = 0; k < line.length(); k++) {
            char c = line.charAt(k);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                int idx = c == ',' ? 0 : c == ';' ? 1 : c == '\t' ? 2 : c == '|' ? 3 : -1;
                if (idx >= 0) {
                    counts[idx]++;
                }
            }
        }
        int best = -1;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > 0 && (best < 0 || counts[k] > counts[best])) {
                best = k;
            }
        }
        return best < 0 ? null : candidates[best];
    }

    private static String delimiterName(String d) {
        switch (d) {
            case ",": return "comma";
            case ";": return "semicolon";
            case "\t": return "tab";
            case "|": return "pipe";
            default: return "'" + d + "'";
        }
    }

    private static String printable(String d) {
        return d.equals("\t") ? "\\t" : d;
    }

    /** The file's first line (BOM removed, gzip inflated), or null when it is empty or unreadable. */
    public static String firstLine(Path file) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader r = new BufferedReader(withoutBom(new InputStreamReader(in, StandardCharsets.UTF_8)))) {
            return r.readLine();
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    /** Fills each reject's raw text from its lines of the file (a second pass, only when rows were rejected). */
    private static void fillRawLines(Path file, List<RowErrors.Reject> rejects) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader r = new BufferedReader(withoutBom(new InputStreamReader(in, StandardCharsets.UTF_8)))) {
            int next = 0;
            long lineNo = 0;
            StringBuilder sb = new StringBuilder();
            String s;
            while (next < rejects.size() && (s = r.readLine()) != null) {
                lineNo++;
                RowErrors.Reject rej = rejects.get(next);
                if (lineNo >= rej.line) {
                    sb.append(sb.length() > 0 ? "\n" : "").append(s);
                }
                if (lineNo >= rej.lastLine) {
                    rej.raw = sb.toString();
                    sb.setLength(0);
                    next++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the raw text is a convenience: the line numbers and reasons are written anyway
        }
    }

    /**
     * Refuses an id with a control character (a newline or tab inside a quoted CSV field, a NUL): the
     * id maps ({@code item_map.tsv}) are one tab-separated line per id, so such an id would train but
     * break every later command that reads the map.
     */
    static void printable(String id, String what) {
        for (int k = 0; k < id.length(); k++) {
            char c = id.charAt(k);
            if (Character.isISOControl(c)) {
                throw new RowErrors.BadRow(RowErrors.CONTROL, what + " id " + Json.MAPPER.valueToTree(id) + " contains a control character"
                        + String.format(" (U+%04X)", (int) c) + ": ids must be printable text");
            }
        }
    }

    /** Skips a UTF-8 byte-order mark at the start (Excel writes one), which would otherwise become part of the first column's name. */
    static Reader withoutBom(Reader in) throws IOException {
        java.io.PushbackReader r = new java.io.PushbackReader(in, 1);
        int c = r.read();
        if (c != -1 && c != '\uFEFF') {
            r.unread(c);
        }
        return r;
    }

    private static CSVFormat csvFormat(LogFormat format) {
        CSVFormat.Builder b = CSVFormat.DEFAULT.builder()
                .setDelimiter(format.delimiter)
                .setIgnoreEmptyLines(true)
                .setTrim(true);
        if (format.delimiter.length() > 1 || format.delimiter.equals("\t")) {
            b.setQuote(null); // '::' and tab-separated files are not quoted; a stray quote is data
        }
        return b.build();
    }

    private static String field(CSVRecord rec, int col, String what) {
        if (col >= rec.size()) {
            throw new RowErrors.BadRow(RowErrors.COLUMNS, "expected a " + what + " in column " + col + " but the row has only "
                    + rec.size() + " column(s)");
        }
        return rec.get(col);
    }

    /** Epoch seconds from a number or an ISO-8601 date / date-time (UTC unless an offset is given). */
    static double parseTime(Path file, long line, String s) {
        try {
            return new TimeParser(null).parse(s);
        } catch (RowErrors.BadRow e) {
            throw SeqrecException.atLine(file, line, e.getMessage());
        }
    }

    private static final class Columns {
        final int user;
        final int item;
        final int time;
        final int rating;

        Columns(int user, int item, int time, int rating) {
            this.user = user;
            this.item = item;
            this.time = time;
            this.rating = rating;
        }

        static Columns fromIndices(Path file, LogFormat f) {
            return new Columns(index(file, f.userCol, "user"), index(file, f.itemCol, "item"),
                    optionalIndex(file, f.timeCol, "time"), optionalIndex(file, f.ratingCol, "rating"));
        }

        static Columns fromHeader(Path file, LogFormat f, CSVRecord header, String hint) {
            List<String> names = new ArrayList<>();
            for (String h : header) {
                int colon = h.indexOf(':'); // RecBole typed header: name:type
                names.add(colon > 0 && f.delimiter.indexOf(':') < 0 ? h.substring(0, colon) : h);
            }
            return new Columns(resolve(file, f.userCol, names, "user", true, hint), resolve(file, f.itemCol, names, "item", true, hint),
                    resolve(file, f.timeCol, names, "time", false, hint), resolve(file, f.ratingCol, names, "rating", false, hint));
        }

        private static int resolve(Path file, String spec, List<String> header, String what, boolean required, String hint) {
            if (spec == null || spec.equals(LogFormat.NONE)) {
                if (required) {
                    throw new SeqrecException(file + ": no " + what + " column given");
                }
                return -1;
            }
            if (spec.chars().allMatch(Character::isDigit)) {
                return Integer.parseInt(spec);
            }
            int idx = header.indexOf(spec);
            if (idx < 0) {
                if (!required && what.equals("rating")) {
                    return -1;
                }
                throw SeqrecException.atLine(file, 1, "no " + what + " column named '" + spec + "' in header " + header
                        + " (set it with --" + what + "-col NAME|INDEX" + (what.equals("time") ? ", or 'none'" : "") + ")" + hint);
            }
            return idx;
        }

        private static int index(Path file, String spec, String what) {
            if (spec == null || !spec.chars().allMatch(Character::isDigit) || spec.isEmpty()) {
                throw new SeqrecException(file + ": the " + what + " column '" + spec
                        + "' is a name but the file has no header; give a 0-based index or --header");
            }
            return Integer.parseInt(spec);
        }

        private static int optionalIndex(Path file, String spec, String what) {
            return spec == null || spec.equals(LogFormat.NONE) ? -1 : index(file, spec, what);
        }
    }

    /** Counts bytes read into a progress bar. */
    private static final class CountingStream extends FilterInputStream {
        private final ProgressBar bar;

        CountingStream(InputStream in, ProgressBar bar) {
            super(in);
            this.bar = bar;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                bar.stepBy(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                bar.stepBy(n);
            }
            return n;
        }
    }
}
