package org.seqrec.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import me.tongfei.progressbar.wrapped.ProgressBarWrappedInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.SequenceBuilder;
import org.seqrec.data.fetch.DatasetCatalog;
import org.seqrec.data.fetch.DatasetCatalog.Entry;
import org.seqrec.data.fetch.Downloader;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Hashing;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code seqrec data fetch NAME}: downloads a public dataset from the {@link DatasetCatalog}
 * (resuming partial downloads, checking the SHA-256), extracts the ratings from an archive, and
 * converts them into {@code DIR/NAME.txt} with its id maps.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true, description = "Download a public dataset (Amazon Beauty/Sports/Toys, MovieLens 1M/20M/32M; "
        + "Yelp from a manual download), check its SHA-256 and convert it to DIR/NAME.txt. "
        + "Without NAME, or with --list: show the catalogue.")
final class FetchCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", completionCandidates = Names.class,
            description = "Dataset: ${COMPLETION-CANDIDATES}.")
    String name;

    @Option(names = "--list", description = "Print the catalogue and exit.")
    boolean list;

    @Option(names = "--dir", defaultValue = "data", paramLabel = "DIR",
            description = "Where downloads and converted files go. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--url", paramLabel = "URL", description = "Download from this URL instead (e.g. a mirror); "
            + "the catalogue's checksum still applies unless --sha256 is given.")
    String url;

    @Option(names = "--sha256", paramLabel = "HEX", description = "Expected SHA-256 of the download, replacing the catalogue's.")
    String sha256;

    @Option(names = "--file", paramLabel = "FILE", description = "Use this local copy instead of downloading "
            + "(required for manual downloads such as yelp).")
    Path file;

    @Option(names = "--no-convert", description = "Only download (and extract); do not convert.")
    boolean noConvert;

    @Option(names = "--kcore", defaultValue = "5", paramLabel = "K",
            description = "Iterative k-core filter for users and items (1: none). Default: ${DEFAULT-VALUE}.")
    int kcore;

    @Option(names = "--min-rating", paramLabel = "R", description = "Drop ratings below R (default: the catalogue's, "
            + "none for every entry: all ratings are interactions).")
    Double minRating;

    @Override
    public Integer call() {
        if (list || name == null) {
            System.out.print(catalogueTable());
            return 0;
        }
        Entry entry = DatasetCatalog.get(name);
        if (kcore < 1) {
            throw new SeqrecException("--kcore must be at least 1, got " + kcore);
        }
        String expected = DatasetCatalog.normalizeSha256(sha256 != null ? sha256 : entry.sha256());
        String checksumSource = sha256 != null ? "--sha256" : "the catalogue";

        Path raw;
        if (file != null) {
            raw = checkLocalFile(entry, expected, checksumSource);
        } else if (entry.access() == DatasetCatalog.Access.MANUAL && url == null) {
            System.out.println(entry.name() + ": " + entry.title());
            System.out.println("This dataset cannot be downloaded automatically. Download page: " + entry.url());
            System.out.println(entry.notes());
            return 2;
        } else {
            raw = download(entry, expected, checksumSource);
        }

        Path log = entry.isArchive() ? extract(raw, entry.member()) : raw;
        if (entry.isArchive() && !entry.sideMembers().isEmpty()) {
            List<Path> side = new ArrayList<>();
            for (String member : entry.sideMembers()) {
                try { // side data is extra: an archive without it (a mirror, --sha256 of another file) still gives the log
                    side.add(extract(raw, member));
                } catch (SeqrecException e) {
                    System.err.println("warning: no side data " + member + ": " + e.getMessage());
                }
            }
            if (!side.isEmpty()) {
                System.out.println("side data (user and item features, e.g. for --model ctr: --param user_features=FILE"
                        + " --param item_features=FILE): " + side.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", ")));
            }
        }
        if (entry.isJsonLines()) {
            log = jsonLinesToCsv(log, dir.resolve(entry.name() + ".csv"), entry.jsonFields());
        }
        double threshold = minRating != null ? minRating : entry.minRating() != null ? entry.minRating() : Double.NaN;
        if (noConvert) {
            System.out.println("interaction log: " + log);
            System.out.println("convert it with: seqrec data convert --data " + log + " --format " + entry.format()
                    + " --kcore " + kcore + (Double.isNaN(threshold) ? "" : " --min-rating " + threshold) + " --out "
                    + dir.resolve(entry.name() + ".txt"));
            return 0;
        }
        Path out = dir.resolve(entry.name() + ".txt");
        DataSource src = new DataSource(log.toString(), entry.format(), null, null, null, null, null, null, kcore,
                threshold);
        SequenceBuilder.Result r = src.convert();
        r.dataset().save(out);
        System.out.println(r.report());
        System.out.println("wrote " + out + ", " + Dataset.itemMapPath(out).getFileName()
                + (r.dataset().userMap() != null ? ", " + Dataset.userMapPath(out).getFileName() : ""));
        System.out.println("use it with: --data " + out + "   (e.g. seqrec data stats --data " + out + ")");
        System.out.println("source: " + entry.citation());
        return 0;
    }

    private Path download(Entry entry, String expected, String checksumSource) {
        URI uri;
        try {
            uri = new URI(url != null ? url : entry.url());
        } catch (URISyntaxException e) {
            throw new SeqrecException("not a valid URL: " + e.getMessage());
        }
        Path target = dir.resolve(entry.fileName());
        System.out.println("fetching " + entry.name() + " from " + uri + " to " + target);
        Downloader.Result res = new Downloader().download(uri, target, expected);
        if (!res.downloaded()) {
            System.out.println(target + " already present");
        }
        reportChecksum(entry, res.file(), res.sha256(), res.verified(), checksumSource);
        return res.file();
    }

    private Path checkLocalFile(Entry entry, String expected, String checksumSource) {
        if (!Files.isRegularFile(file)) {
            throw SeqrecException.missingFile(file, "--file");
        }
        String actual = Hashing.sha256(file);
        if (expected != null && !expected.equals(actual)) {
            throw new SeqrecException("checksum mismatch for " + file + ": expected sha256 " + expected + " ("
                    + checksumSource + "), got " + actual + " (is it the right file for " + entry.name() + "?)");
        }
        reportChecksum(entry, file, actual, expected != null, checksumSource);
        return file;
    }

    private static void reportChecksum(Entry entry, Path p, String actual, boolean verified, String source) {
        if (verified) {
            System.out.println("sha256 " + actual + " verified against " + source);
        } else {
            System.err.println("warning: " + p + " not verified: no checksum in the catalogue for " + entry.name()
                    + "; its sha256 is " + actual + " (pass --sha256 " + actual + " to pin it next time)");
        }
    }

    /** Extracts {@code member} from the zip {@code archive} into {@code dir}, keeping its path. */
    private Path extract(Path archive, String member) {
        Path base = dir.toAbsolutePath().normalize();
        Path target = base.resolve(member).normalize();
        if (!target.startsWith(base)) {
            throw new SeqrecException(archive + ": member " + member + " would be extracted outside " + dir);
        }
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry ze = zip.getEntry(member);
            if (ze == null || ze.isDirectory()) {
                throw new SeqrecException(archive + " has no member " + member + " (members: " + members(zip) + ")");
            }
            AtomicFiles.write(target, out -> {
                try (InputStream in = new ProgressBarWrappedInputStream(zip.getInputStream(ze),
                        Progress.bar("extract " + member, ze.getSize(), "B"))) {
                    in.transferTo(out);
                }
            });
        } catch (java.util.zip.ZipException e) {
            throw new SeqrecException(archive + " is not a valid zip archive: " + e.getMessage()
                    + " (delete it and fetch again)", e);
        } catch (IOException e) {
            throw new SeqrecException("cannot extract " + member + " from " + archive + ": " + e.getMessage(), e);
        }
        Path shown = dir.resolve(member);
        System.out.println("extracted " + member + " to " + shown);
        return shown;
    }

    private static String members(ZipFile zip) {
        List<String> names = new ArrayList<>();
        Enumeration<? extends ZipEntry> en = zip.entries();
        while (en.hasMoreElements() && names.size() < 20) {
            names.add(en.nextElement().getName());
        }
        return names.isEmpty() ? "none" : String.join(", ", names) + (en.hasMoreElements() ? ", ..." : "");
    }

    /**
     * Turns a JSON-lines log (one object per line) into a CSV with the {@code csv} preset's header
     * {@code user_id,item_id,rating,timestamp}; other fields (such as review text) are dropped.
     */
    static Path jsonLinesToCsv(Path in, Path out, DatasetCatalog.JsonFields f) {
        ObjectMapper mapper = new ObjectMapper();
        long size;
        try {
            size = Files.size(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + in + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeText(out, w -> {
            // not closed here: AtomicFiles flushes and closes the underlying writer
            CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').build());
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new ProgressBarWrappedInputStream(
                    Files.newInputStream(in), Progress.bar("read " + in.getFileName(), size, "B")),
                    StandardCharsets.UTF_8), 1 << 16)) {
                csv.printRecord("user_id", "item_id", "rating", "timestamp");
                String line;
                long lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node;
                    try {
                        node = mapper.readTree(line);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw SeqrecException.atLine(in, lineNo, "not a JSON object: " + e.getOriginalMessage());
                    }
                    csv.printRecord(required(node, f.user(), in, lineNo), required(node, f.item(), in, lineNo),
                            optional(node, f.rating()), required(node, f.time(), in, lineNo));
                }
                csv.flush();
            }
        });
        System.out.println("wrote " + out + " from " + in);
        return out;
    }

    private static String required(JsonNode node, String field, Path file, long line) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty()) {
            throw SeqrecException.atLine(file, line, "missing field '" + field + "'");
        }
        return v.asText();
    }

    private static String optional(JsonNode node, String field) {
        JsonNode v = field == null ? null : node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** The catalogue as an aligned text table, followed by each entry's source URL. */
    static String catalogueTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "FORMAT", "SIZE", "SHA-256", "DESCRIPTION"});
        for (Entry e : DatasetCatalog.all()) {
            String check = e.access() == DatasetCatalog.Access.MANUAL ? "manual download"
                    : e.sha256() != null ? "pinned" : "not pinned";
            String format = e.format() + (e.isJsonLines() ? " (from JSON lines)" : "")
                    + (e.isArchive() ? " (zip: " + e.member() + ")" : "");
            rows.add(new String[] {e.name(), format, e.sizeBytes() == null ? "?" : humanBytes(e.sizeBytes()), check,
                    e.title()});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == row.length - 1 ? row[c] : String.format("%-" + width[c] + "s  ", row[c]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        sb.append('\n');
        for (Entry e : DatasetCatalog.all()) {
            sb.append(String.format("%-" + width[0] + "s  %s%s%n", e.name(),
                    e.access() == DatasetCatalog.Access.MANUAL ? "download page: " : "", e.url()));
        }
        sb.append("\nFetch one with: seqrec data fetch NAME [--dir data]; converted files go to DIR/NAME.txt.\n");
        return sb.toString();
    }

    /** Catalogue names for the help text. */
    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return DatasetCatalog.names().iterator();
        }
    }

    private static String humanBytes(long b) {
        if (b < 1000) {
            return b + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = b;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
