package org.seqrec.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.seqrec.data.LogReader;
import org.seqrec.data.LogSink;
import org.seqrec.data.RowErrors;

/**
 * The parse stage of the preparation job: each task reads whole files with the core's reader (the same
 * CSV dialect, time formats, id checks and error policy as {@code data convert}) and emits one row per
 * accepted interaction: {@code (ord, user, item, time, rating)}, where {@code ord} = file index &lt;&lt; 40 | row
 * index orders rows as the files are ordered, and stands in for the timestamp when the log has no time
 * column (for one file it equals the row position {@code data convert} uses).
 */
final class ParseFiles implements FlatMapFunction<Iterator<LogFiles.InputFile>, Row> {
    static final StructType SCHEMA = new StructType()
            .add("ord", DataTypes.LongType, false)
            .add("user", DataTypes.StringType, false)
            .add("item", DataTypes.StringType, false)
            .add("time", DataTypes.DoubleType, false)
            .add("rating", DataTypes.FloatType, false);
    static final int ROW_BITS = 40;

    private final FormatSpec format;
    private final long maxErrors;
    private final CollectionAccumulator<String> rejected;

    ParseFiles(FormatSpec format, long maxErrors, CollectionAccumulator<String> rejected) {
        this.format = format;
        this.maxErrors = maxErrors;
        this.rejected = rejected;
    }

    @Override
    public Iterator<Row> call(Iterator<LogFiles.InputFile> files) throws IOException {
        List<Row> rows = new ArrayList<>();
        Path tmp = Files.createTempDirectory("seqrec-spark-");
        try {
            while (files.hasNext()) {
                LogFiles.InputFile f = files.next();
                Path local = LogFiles.local(f.uri(), tmp, new Configuration());
                RowErrors errors = new RowErrors(maxErrors, null);
                LogReader.read(local, format.format(), errors, new Sink(rows, f.index(), format.fileOrder()));
                for (Map.Entry<String, Long> e : errors.byReason().entrySet()) {
                    rejected.add(e.getKey() + "\t" + e.getValue());
                }
            }
        } finally {
            try (var s = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Files.deleteIfExists(tmp);
        }
        return rows.iterator();
    }

    /** Collects one file's rows. */
    private static final class Sink implements LogSink {
        private final List<Row> rows;
        private final long base;
        private final boolean fileOrder;
        private long n;

        Sink(List<Row> rows, int fileIndex, boolean fileOrder) {
            this.rows = rows;
            this.base = (long) fileIndex << ROW_BITS;
            this.fileOrder = fileOrder;
        }

        @Override
        public void add(String user, String item, double time, float rating) {
            if (n >= 1L << ROW_BITS) {
                throw new IllegalStateException("more than 2^40 rows in one file");
            }
            long ord = base | n;
            rows.add(RowFactory.create(ord, user, item, fileOrder ? (double) ord : time, rating));
            n++;
        }

        @Override
        public long size() {
            return n;
        }
    }
}
