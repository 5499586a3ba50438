package org.seqrec.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a dataset comes from and how to read it: an FMLP sequence file, or an interaction log
 * (CSV/TSV/RecBole/MovieLens/Amazon) converted on the fly by {@link SequenceBuilder}. Stored in a
 * run's configuration so the run can reload exactly the same data.
 *
 * @param format {@code auto}, {@code fmlp}, or a {@link LogFormat} preset name
 * @param delimiter, header, userCol, itemCol, timeCol, ratingCol overrides of the preset (null: keep)
 * @param kcore k of the iterative k-core filter applied to logs (FMLP files are used as they are)
 * @param minRating drop log rows rated below this (NaN: keep all)
 * @param timeFormat how timestamps are written ({@link TimeParser}; null: auto)
 * @param maxErrors bad rows skipped before reading aborts (null or 0: the first aborts), see {@link RowErrors}
 * @param rejects where rejected rows are written (null: nowhere, only counted)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataSource(String path, String format, String delimiter, Boolean header, String userCol, String itemCol,
        String timeCol, String ratingCol, int kcore, double minRating, String timeFormat, Integer maxErrors, String rejects) {
    private static final Logger LOG = LoggerFactory.getLogger(DataSource.class);

    public DataSource(String path, String format, String delimiter, Boolean header, String userCol, String itemCol,
            String timeCol, String ratingCol, int kcore, double minRating) {
        this(path, format, delimiter, header, userCol, itemCol, timeCol, ratingCol, kcore, minRating, null, null, null);
    }

    /** The same source with another rejects file (null: none). */
    public DataSource withRejects(String file) {
        return new DataSource(path, format, delimiter, header, userCol, itemCol, timeCol, ratingCol, kcore, minRating, timeFormat,
                maxErrors, file);
    }

    /** The same options for another file (the Spark jobs resolve a directory's format from its first file). */
    public DataSource withPath(String file) {
        return new DataSource(file, format, delimiter, header, userCol, itemCol, timeCol, ratingCol, kcore, minRating, timeFormat,
                maxErrors, rejects);
    }

    /** The same source with another k-core (1: none). */
    public DataSource withKcore(int k) {
        return new DataSource(path, format, delimiter, header, userCol, itemCol, timeCol, ratingCol, k, minRating, timeFormat,
                maxErrors, rejects);
    }

    public static DataSource fmlp(Path file) {
        return new DataSource(file.toAbsolutePath().normalize().toString(), "fmlp", null, null, null, null, null, null, 5, Double.NaN);
    }

    /** Sequences that need no conversion: an FMLP file or a {@code .seqbin} directory. */
    public boolean readsSequences() {
        String f = resolvedFormat();
        return f.equals("fmlp") || f.equals("seqbin");
    }

    /** The concrete format: {@code fmlp}, {@code seqbin} or a log preset, resolved from the file name when {@code auto}. */
    public String resolvedFormat() {
        String f = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
        if (!f.equals("auto")) {
            return f;
        }
        String name = Path.of(path).getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(SeqBin.EXTENSION)) {
            return "seqbin";
        }
        return name.endsWith(".txt") ? "fmlp" : LogFormat.presetFor(name.replaceAll("\\.gz$", ""));
    }

    public LogFormat logFormat() {
        return LogFormat.preset(resolvedFormat()).withDelimiter(delimiter).withHeader(header)
                .withColumns(userCol, itemCol, timeCol, ratingCol).withTimeFormat(timeFormat);
    }

    /**
     * The format the reader uses: {@link #logFormat()}, with the delimiter detected from the first line
     * (comma, semicolon, tab or pipe) when the file is read as CSV and no delimiter was given.
     */
    public LogFormat effectiveLogFormat() {
        LogFormat lf = logFormat();
        if (delimiter == null && resolvedFormat().equals("csv")) {
            String sniffed = LogReader.sniffDelimiter(LogReader.firstLine(Path.of(path)));
            if (sniffed != null && !sniffed.equals(lf.delimiter)) {
                LOG.info("{}: no --delimiter given; the first line is {}-separated", Path.of(path).getFileName(),
                        sniffed.equals("\t") ? "tab" : "'" + sniffed + "'");
                lf = lf.withDelimiter(sniffed);
            }
        }
        return lf;
    }

    /** Reads the data; logs are converted (dedup, time sort, k-core, dense ids) in memory. */
    public Dataset load() {
        Path file = Path.of(path);
        if (resolvedFormat().equals("seqbin")) {
            return SeqBin.read(file);
        }
        if (resolvedFormat().equals("fmlp")) {
            return FmlpReader.read(file);
        }
        return convert().dataset();
    }

    /** Reads and converts a log; fails for FMLP files, which need no conversion. */
    public SequenceBuilder.Result convert() {
        return convert(rowErrors());
    }

    /** The error policy of this source: {@code maxErrors} and {@code rejects}. */
    public RowErrors rowErrors() {
        return new RowErrors(maxErrors == null ? 0 : maxErrors, rejects == null ? null : Path.of(rejects));
    }

    /** Reads and converts a log, tallying bad rows in {@code errors} (see {@link RowErrors#summary()}). */
    public SequenceBuilder.Result convert(RowErrors errors) {
        Path file = Path.of(path);
        LogFormat lf = effectiveLogFormat();
        LOG.info("reading {} as {}", file, lf);
        InteractionLog log = LogReader.read(file, lf, errors);
        if (errors.rejected() > 0) {
            LOG.warn("{}: {}", file.getFileName(), errors.summary());
        }
        SequenceBuilder.Result result = SequenceBuilder.build(FmlpReader.datasetName(file), log, kcore, minRating);
        LOG.info("{}: {}", file.getFileName(), result.report());
        return result;
    }
}
