package org.seqrec.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.seqrec.util.SeqrecException;

/**
 * Categorical side features of users or items (a CTR model's user profile and item properties), one row per id:
 * each field holds one value or several ({@code A|B|C}, e.g. a movie's genres). Values are numbered per field in
 * the order they first appear in the file ({@code 1..V}; 0 is "none"), so the same file always gives the same
 * numbers. Read from
 * <ul>
 *   <li>MovieLens 1M/10M {@code users.dat} ({@code UserID::Gender::Age::Occupation::Zip-code}; fields gender, age,
 *       occupation unless named) and {@code movies.dat} ({@code MovieID::Title::Genres}, ISO-8859-1; field genres unless
 *       named), recognised by the file name;</li>
 *   <li>CSV or TSV ({@code .tsv}) with a header: the first column is the id, every other column a field (or those named).</li>
 * </ul>
 */
public final class FeatureTable {
    /** Multi-valued entries are split on this character. */
    public static final String MULTI = "|";

    /** One field: its name, its values (index {@code i} holds value number {@code i + 1}) and the most values one row has. */
    public record Field(String name, List<String> values, int width) {
        public int vocabulary() {
            return values.size();
        }
    }

    private final List<Field> fields;
    private final Map<String, int[][]> rows; // id -> per field, its value numbers

    private FeatureTable(List<Field> fields, Map<String, int[][]> rows) {
        this.fields = List.copyOf(fields);
        this.rows = rows;
    }

    public List<Field> fields() {
        return fields;
    }

    public int size() {
        return rows.size();
    }

    /** The sum of the fields' widths: the length of {@link #row}. */
    public int width() {
        return fields.stream().mapToInt(Field::width).sum();
    }

    /**
     * The row of {@code id}: field after field, each its value numbers then zeros up to the field's width; all zeros
     * for an id the file does not list.
     */
    public int[] row(String id) {
        int[] out = new int[width()];
        int[][] values = rows.get(id);
        if (values == null) {
            return out;
        }
        int at = 0;
        for (int f = 0; f < fields.size(); f++) {
            System.arraycopy(values[f], 0, out, at, values[f].length);
            at += fields.get(f).width();
        }
        return out;
    }

    /** Whether the file lists {@code id}. */
    public boolean has(String id) {
        return rows.containsKey(id);
    }

    /**
     * Reads {@code file}; {@code columns} names the fields to keep (null or empty: the format's default, see the class
     * comment). An unknown column, a repeated id or a row with the wrong number of columns is an error naming the line.
     */
    public static FeatureTable read(Path file, List<String> columns) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith("users.dat")) {
                return readDat(file, List.of("user", "gender", "age", "occupation", "zip"), columns, List.of("gender", "age", "occupation"),
                        StandardCharsets.UTF_8);
            }
            if (name.endsWith("movies.dat")) {
                return readDat(file, List.of("item", "title", "genres"), columns, List.of("genres"), StandardCharsets.ISO_8859_1);
            }
            // MovieLens 20M/25M/32M movies.csv (movieId,title,genres): the genres by default, not the title (an id of its own)
            List<String> dflt = name.endsWith("movies.csv") && (columns == null || columns.isEmpty()) ? List.of("genres") : columns;
            return readCsv(file, name.endsWith(".tsv") ? '\t' : ',', dflt);
        } catch (IOException e) {
            throw new SeqrecException("cannot read features " + file + ": " + e.getMessage(), e);
        }
    }

    private static FeatureTable readDat(Path file, List<String> header, List<String> wanted, List<String> dflt, Charset cs)
            throws IOException {
        List<String> keep = wanted == null || wanted.isEmpty() ? dflt : wanted;
        int[] cols = columnsOf(file, header, keep);
        Builder b = new Builder(keep);
        try (BufferedReader r = Files.newBufferedReader(file, cs)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (n == 1 && line.startsWith("\uFEFF")) { // a byte-order mark is not part of the first id
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("::", -1);
                if (f.length != header.size()) {
                    throw new SeqrecException(file + ":" + n + ": " + f.length + " fields separated by '::', expected " + header.size()
                            + " (" + String.join(", ", header) + ")");
                }
                b.add(file, n, f[0], cols, f);
            }
        }
        return b.build();
    }

    private static FeatureTable readCsv(Path file, char delimiter, List<String> wanted) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true).build();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8); CSVParser p = CSVParser.parse(r, format)) {
            List<String> header = p.getHeaderNames();
            if (header.size() < 2) {
                throw new SeqrecException(file + ": a feature file needs an id column and at least one field, got " + header);
            }
            List<String> keep = wanted == null || wanted.isEmpty() ? header.subList(1, header.size()) : wanted;
            int[] cols = columnsOf(file, header, keep);
            Builder b = new Builder(keep);
            for (CSVRecord rec : p) {
                if (rec.size() != header.size()) {
                    throw new SeqrecException(file + ":" + (rec.getRecordNumber() + 1) + ": " + rec.size() + " columns, the header has "
                            + header.size());
                }
                String[] f = rec.values();
                b.add(file, rec.getRecordNumber() + 1, f[0], cols, f);
            }
            return b.build();
        }
    }

    private static int[] columnsOf(Path file, List<String> header, List<String> keep) {
        int[] cols = new int[keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            if (keep.get(i).matches(".*[,:].*") || keep.indexOf(keep.get(i)) != i) {
                throw new SeqrecException(file + ": feature column '" + keep.get(i) + "' is named twice or holds ',' or ':' (the run"
                        + " records fields as NAME:VALUES:WIDTH, comma-separated)");
            }
            cols[i] = header.indexOf(keep.get(i));
            if (cols[i] < 1) {
                throw new SeqrecException(file + ": no feature column '" + keep.get(i) + "' (columns after the id: "
                        + header.subList(1, header.size()) + ")");
            }
        }
        return cols;
    }

    /** Numbers values per field as they first appear. */
    private static final class Builder {
        private final List<String> names;
        private final List<Map<String, Integer>> numbers = new ArrayList<>();
        private final int[] widths;
        private final Map<String, int[][]> rows = new LinkedHashMap<>();

        Builder(List<String> names) {
            this.names = names;
            this.widths = new int[names.size()];
            for (int i = 0; i < names.size(); i++) {
                numbers.add(new LinkedHashMap<>());
            }
        }

        void add(Path file, long line, String id, int[] cols, String[] f) {
            String key = id.strip();
            int[][] row = new int[cols.length][];
            for (int c = 0; c < cols.length; c++) {
                String cell = f[cols[c]].strip();
                List<Integer> vs = new ArrayList<>();
                if (!cell.isEmpty()) {
                    for (String v : cell.split(java.util.regex.Pattern.quote(MULTI))) {
                        String value = v.strip();
                        if (!value.isEmpty()) {
                            Map<String, Integer> field = numbers.get(c);
                            int number = field.computeIfAbsent(value, x -> field.size() + 1);
                            if (!vs.contains(number)) {
                                vs.add(number);
                            }
                        }
                    }
                }
                row[c] = vs.stream().mapToInt(Integer::intValue).toArray();
                widths[c] = Math.max(widths[c], row[c].length);
            }
            if (rows.put(key, row) != null) {
                throw new SeqrecException(file + ":" + line + ": id '" + key + "' is listed twice");
            }
        }

        FeatureTable build() {
            List<Field> fields = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                fields.add(new Field(names.get(c), List.copyOf(numbers.get(c).keySet()), Math.max(1, widths[c])));
            }
            return new FeatureTable(fields, new HashMap<>(rows));
        }
    }
}
