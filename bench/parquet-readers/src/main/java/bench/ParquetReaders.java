package bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * bench/parquet-readers.sh's harness: {@code gen FILE ROWS} writes a log (user_id, item_id strings,
 * timestamp int64; snappy, DuckDB's defaults) as Parquet; {@code duckdb|parquet|arrow FILE} reads its
 * three columns with one candidate library and prints rows, a checksum and the read time. Each
 * candidate is a nested class so that a run loads only its own library.
 */
public final class ParquetReaders {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        long[] r;
        switch (args[0]) {
            case "gen" -> {
                Duck.gen(args[1], Long.parseLong(args[2]));
                return;
            }
            case "duckdb" -> r = Duck.read(args[1]);
            case "parquet" -> r = ParquetJava.read(args[1]);
            case "arrow" -> r = Arrow.read(args[1]);
            default -> throw new IllegalArgumentException(args[0]);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s rows=%d checksum=%d seconds=%.3f%n", args[0], r[0], r[1], s);
    }

    /** A checksum every reader computes the same way: string hashes and timestamps summed. */
    static long mix(long acc, String u, String i, long t) {
        return acc * 31 + u.hashCode() * 17L + i.hashCode() + t;
    }

    static final class Duck {
        static void gen(String file, long rows) throws Exception {
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
                st.execute("COPY (SELECT 'u' || (i % 50000) AS user_id, 'i' || ((i * 7919) % 20000) AS item_id,"
                        + " CAST(1600000000 + i AS BIGINT) AS timestamp FROM range(" + rows + ") t(i)) TO '" + file
                        + "' (FORMAT parquet)");
            }
        }

        static long[] read(String file) throws Exception {
            long n = 0;
            long acc = 0;
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                    PreparedStatement ps = c.prepareStatement("SELECT user_id, item_id, timestamp FROM read_parquet(?)")) {
                ps.setString(1, file);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        acc = mix(acc, rs.getString(1), rs.getString(2), rs.getLong(3));
                        n++;
                    }
                }
            }
            return new long[] {n, acc};
        }
    }

    static final class ParquetJava {
        static long[] read(String file) throws Exception {
            long n = 0;
            long acc = 0;
            org.apache.parquet.ParquetReadOptions opts = org.apache.parquet.ParquetReadOptions
                    .builder(new org.apache.parquet.conf.PlainParquetConfiguration()).build();
            try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader
                    .open(new org.apache.parquet.io.LocalInputFile(Path.of(file)), opts)) {
                org.apache.parquet.schema.MessageType schema = r.getFooter().getFileMetaData().getSchema();
                int u = schema.getFieldIndex("user_id");
                int it = schema.getFieldIndex("item_id");
                int ts = schema.getFieldIndex("timestamp");
                org.apache.parquet.column.page.PageReadStore pages;
                while ((pages = r.readNextRowGroup()) != null) {
                    var io = new org.apache.parquet.io.ColumnIOFactory().getColumnIO(schema);
                    var rr = io.getRecordReader(pages, new org.apache.parquet.example.data.simple.convert.GroupRecordConverter(schema));
                    for (long k = 0; k < pages.getRowCount(); k++) {
                        org.apache.parquet.example.data.Group g = (org.apache.parquet.example.data.Group) rr.read();
                        acc = mix(acc, g.getString(u, 0), g.getString(it, 0), g.getLong(ts, 0));
                        n++;
                    }
                }
            }
            return new long[] {n, acc};
        }
    }

    static final class Arrow {
        static long[] read(String file) throws Exception {
            long n = 0;
            long acc = 0;
            try (org.apache.arrow.memory.BufferAllocator alloc = new org.apache.arrow.memory.RootAllocator();
                    var factory = new org.apache.arrow.dataset.file.FileSystemDatasetFactory(alloc,
                            org.apache.arrow.dataset.jni.NativeMemoryPool.getDefault(), org.apache.arrow.dataset.file.FileFormat.PARQUET,
                            Path.of(file).toUri().toString());
                    var dataset = factory.finish();
                    var scanner = dataset.newScan(new org.apache.arrow.dataset.scanner.ScanOptions(32768));
                    var reader = scanner.scanBatches()) {
                while (reader.loadNextBatch()) {
                    var root = reader.getVectorSchemaRoot();
                    var uv = (org.apache.arrow.vector.VarCharVector) root.getVector("user_id");
                    var iv = (org.apache.arrow.vector.VarCharVector) root.getVector("item_id");
                    var tv = (org.apache.arrow.vector.BigIntVector) root.getVector("timestamp");
                    for (int k = 0; k < root.getRowCount(); k++) {
                        acc = mix(acc, new String(uv.get(k), java.nio.charset.StandardCharsets.UTF_8),
                                new String(iv.get(k), java.nio.charset.StandardCharsets.UTF_8), tv.get(k));
                        n++;
                    }
                }
            }
            return new long[] {n, acc};
        }
    }
}
