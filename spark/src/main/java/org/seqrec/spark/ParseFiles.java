package org.seqrec.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.TaskCompletionListener;
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
 * column (for one file it equals the row position {@code data convert} uses). Rows stream through a
 * bounded queue: a task's memory does not grow with its files.
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
    public Iterator<Row> call(Iterator<LogFiles.InputFile> files) {
        List<LogFiles.InputFile> mine = new ArrayList<>();
        files.forEachRemaining(mine::add);
        return new Streamed(mine);
    }

    /**
     * The rows of the task's files as the reader produces them: the core reader pushes rows from its own
     * thread into a bounded queue, so a task holds a few thousand rows, not its files' millions. A failure
     * of the reader is thrown from {@link #hasNext()}; a task that ends early stops the reader.
     */
    private final class Streamed implements Iterator<Row> {
        private static final Object END = new Object();
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1 << 14);
        private final Thread reader;
        private volatile boolean stopped;
        private Object next;

        Streamed(List<LogFiles.InputFile> files) {
            reader = new Thread(() -> read(files), "seqrec-parse-" + (files.isEmpty() ? "none" : files.get(0).index()));
            reader.setDaemon(true);
            TaskContext ctx = TaskContext.get();
            if (ctx != null) {
                ctx.addTaskCompletionListener((TaskCompletionListener) c -> {
                    stopped = true;
                    reader.interrupt();
                });
            }
            reader.start();
        }

        private void read(List<LogFiles.InputFile> files) {
            Object last = END;
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory("seqrec-spark-");
                for (LogFiles.InputFile f : files) {
                    Path local = LogFiles.local(f.uri(), tmp, new Configuration());
                    RowErrors errors = new RowErrors(maxErrors, null);
                    LogReader.read(local, format.format(), errors, new Sink(this::put, f.index(), format.fileOrder()));
                    for (Map.Entry<String, Long> e : errors.byReason().entrySet()) {
                        rejected.add(e.getKey() + "\t" + e.getValue());
                    }
                }
            } catch (Throwable t) {
                last = t;
            } finally {
                LogFiles.deleteTree(tmp);
            }
            if (!stopped) {
                try {
                    queue.put(last);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void put(Row row) {
            try {
                while (!queue.offer(row, 1, TimeUnit.SECONDS)) {
                    if (stopped) {
                        throw new IllegalStateException("task ended");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("task ended", e);
            }
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading", e);
                }
            }
            if (next instanceof Throwable t) {
                next = END;
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error err) {
                    throw err;
                }
                throw new UncheckedIOException(new IOException(t));
            }
            return next != END;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = (Row) next;
            next = null;
            return r;
        }
    }

    /** Numbers one file's rows and hands them on. */
    private static final class Sink implements LogSink {
        private final Consumer<Row> out;
        private final long base;
        private final boolean fileOrder;
        private long n;

        Sink(Consumer<Row> out, int fileIndex, boolean fileOrder) {
            this.out = out;
            this.base = (long) fileIndex << ROW_BITS;
            this.fileOrder = fileOrder;
        }

        @Override
        public void add(String user, String item, double time, float rating) {
            if (n >= 1L << ROW_BITS) {
                throw new IllegalStateException("more than 2^40 rows in one file");
            }
            long ord = base | n;
            out.accept(RowFactory.create(ord, user, item, fileOrder ? (double) ord : time, rating));
            n++;
        }

        @Override
        public long size() {
            return n;
        }
    }
}
