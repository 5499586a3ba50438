package org.seqrec.cli;

import java.nio.file.Path;
import org.seqrec.data.DataSource;
import picocli.CommandLine.Option;

/** The options that say where a dataset is and how to read it; shared by every command. */
public class DataOptions {
    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Dataset: an FMLP sequence file (.txt) or an interaction log (.csv, .tsv, .inter, ratings.dat, optionally .gz; .parquet, .jsonl).")
    Path data;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT",
            description = "auto (from the file name), fmlp, csv, tsv, recbole, movielens, movielens-csv, amazon, parquet, jsonl. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--delimiter", paramLabel = "D", description = "Log field delimiter (e.g. ',', '\\t' or tab, '::'); overrides the format's. "
            + "Not given for a CSV: detected from the first line (comma, semicolon, tab or pipe).")
    String delimiter;

    @Option(names = "--header", negatable = true, description = "Whether the log's first line is a header; overrides the format's.")
    Boolean header;

    @Option(names = "--user-col", paramLabel = "COL", description = "User column: header name or 0-based index.")
    String userCol;

    @Option(names = "--item-col", paramLabel = "COL", description = "Item column: header name or 0-based index.")
    String itemCol;

    @Option(names = "--time-col", paramLabel = "COL", description = "Timestamp column (number or ISO-8601), or 'none' to keep file order.")
    String timeCol;

    @Option(names = "--time-format", paramLabel = "FMT", description = "auto (numbers or ISO-8601), epoch, epoch-ms, epoch-us, or a "
            + "java.time pattern such as 'dd/MM/yyyy HH:mm' (UTC unless it has an offset). Default: auto.")
    String timeFormat;

    @Option(names = "--max-errors", defaultValue = "0", paramLabel = "N",
            description = "Skip up to N bad log rows (counted by reason, see --rejects); one more aborts. Default: ${DEFAULT-VALUE} (the first bad row aborts).")
    int maxErrors;

    @Option(names = "--rejects", paramLabel = "FILE", description = "Write the rejected rows here (file, line, reason, raw line; TSV), "
            + "only when there are some. Default for data convert: OUT.rejects.tsv; elsewhere: none.")
    Path rejects;

    @Option(names = "--rating-col", paramLabel = "COL", description = "Rating column (optional), used by --min-rating.")
    String ratingCol;

    @Option(names = "--kcore", defaultValue = "5", paramLabel = "K",
            description = "Iterative k-core filter for logs, users and items alike (1: none). Default: ${DEFAULT-VALUE}.")
    int kcore;

    @Option(names = "--min-rating", paramLabel = "R", description = "Drop log rows rated below R (default: keep all).")
    Double minRating;

    /** The --data argument as given (a Hadoop URI such as hdfs://... for the Spark jobs). */
    public String dataPath() {
        return data.toString();
    }

    public DataSource source() {
        return new DataSource(data.toAbsolutePath().normalize().toString(), format, delimiter, header, userCol, itemCol, timeCol, ratingCol, kcore,
                minRating == null ? Double.NaN : minRating, timeFormat, maxErrors == 0 ? null : maxErrors,
                rejects == null ? null : rejects.toAbsolutePath().normalize().toString());
    }
}
