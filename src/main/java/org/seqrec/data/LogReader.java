package org.seqrec.data;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import me.tongfei.progressbar.ProgressBar;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.seqrec.util.Progress;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * Reads an interaction log (CSV, TSV, RecBole {@code .inter}, MovieLens {@code ratings.dat},
 * Amazon ratings CSV; optionally gzip-compressed) into an {@link InteractionLog}. Every error names
 * the file and line.
 */
public final class LogReader {
    private LogReader() {}

    public static InteractionLog read(Path file, LogFormat format) {
        SeqrecException.requireReadable(file, "interaction log");
        InteractionLog log = new InteractionLog();
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
                    cols = Columns.fromHeader(file, format, rec);
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
                String u = field(file, line, rec, cols.user, "user");
                String i = field(file, line, rec, cols.item, "item");
                double t = cols.time < 0 ? log.size() : parseTime(file, line, field(file, line, rec, cols.time, "timestamp"));
                float r = Float.NaN;
                if (cols.rating >= 0) {
                    String rs = field(file, line, rec, cols.rating, "rating");
                    try {
                        r = Float.parseFloat(rs);
                    } catch (NumberFormatException e) {
                        throw SeqrecException.atLine(file, line, "rating '" + rs + "' is not a number");
                    }
                }
                if (u.isEmpty() || i.isEmpty()) {
                    throw SeqrecException.atLine(file, line, "empty user or item id");
                }
                checkPrintable(file, line, u, "user");
                checkPrintable(file, line, i, "item");
                log.add(u, i, t, r);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new SeqrecException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (log.size() == 0) {
            throw new SeqrecException(file + ": empty dataset (no interactions)");
        }
        return log;
    }

    /**
     * Refuses an id with a control character (a newline or tab inside a quoted CSV field, a NUL): the
     * id maps ({@code item_map.tsv}) are one tab-separated line per id, so such an id would train but
     * break every later command that reads the map.
     */
    static void checkPrintable(Path file, long line, String id, String what) {
        for (int k = 0; k < id.length(); k++) {
            char c = id.charAt(k);
            if (Character.isISOControl(c)) {
                throw SeqrecException.atLine(file, line, what + " id " + Json.MAPPER.valueToTree(id) + " contains a control character"
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

    private static String field(Path file, long line, CSVRecord rec, int col, String what) {
        if (col >= rec.size()) {
            throw SeqrecException.atLine(file, line, "expected a " + what + " in column " + col + " but the row has only "
                    + rec.size() + " column(s)");
        }
        return rec.get(col);
    }

    /** Epoch seconds from a number or an ISO-8601 date / date-time (UTC unless an offset is given). */
    static double parseTime(Path file, long line, String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException ignored) {
            // not numeric: try dates
        }
        try {
            return OffsetDateTime.parse(s).toEpochSecond();
        } catch (DateTimeParseException ignored) {
            // no offset
        }
        try {
            return LocalDateTime.parse(s.replace(' ', 'T')).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // not a date-time
        }
        try {
            return LocalDate.parse(s).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw SeqrecException.atLine(file, line, "timestamp '" + s
                    + "' is neither a number nor an ISO-8601 date (use --time-col none to keep file order)");
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

        static Columns fromHeader(Path file, LogFormat f, CSVRecord header) {
            List<String> names = new ArrayList<>();
            for (String h : header) {
                int colon = h.indexOf(':'); // RecBole typed header: name:type
                names.add(colon > 0 && f.delimiter.indexOf(':') < 0 ? h.substring(0, colon) : h);
            }
            return new Columns(resolve(file, f.userCol, names, "user", true), resolve(file, f.itemCol, names, "item", true),
                    resolve(file, f.timeCol, names, "time", false), resolve(file, f.ratingCol, names, "rating", false));
        }

        private static int resolve(Path file, String spec, List<String> header, String what, boolean required) {
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
                        + " (set it with --" + what + "-col NAME|INDEX" + (what.equals("time") ? ", or 'none'" : "") + ")");
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
