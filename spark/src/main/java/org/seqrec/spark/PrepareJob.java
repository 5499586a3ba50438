package org.seqrec.spark;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.seqrec.data.DataSource;
import org.seqrec.data.LogFormat;
import org.seqrec.data.SeqBin;
import org.seqrec.data.SequenceBuilder;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code seqrec-spark prepare}: an interaction log (one file or a directory of part files, CSV, TSV,
 * Parquet, ... as {@code data convert} reads them) to sequences, with exactly the single-machine rules of
 * {@link SequenceBuilder}: rows below the minimum rating dropped, duplicate (user, item, timestamp) rows
 * dropped (the first kept), each user's rows in time order (ties in file order), iterative k-core until
 * stable, users numbered by first appearance in the log and items by first appearance in the kept users'
 * sequences read in that order. Every step is a Spark job over the rows, partitioned by user or item; only
 * the counts reach the driver. On one input file the three files it writes are byte-identical to
 * {@code data convert}'s.
 */
public final class PrepareJob {
    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);

    private PrepareJob() {}

    /**
     * Sequences as tables: {@code sequences (uid long, items array<int>)}, {@code users (uid long, user
     * string)}, {@code items (iid long, item string)}, dense ids from 1; cached until the caller unpersists.
     */
    public record Prepared(Dataset<Row> sequences, Dataset<Row> users, Dataset<Row> items, SequenceBuilder.Report report,
            Map<String, Long> rejected) {
        public String rejectedSummary() {
            long n = rejected.values().stream().mapToLong(Long::longValue).sum();
            return n == 0 ? "no rows rejected" : n + " row(s) rejected: " + rejected;
        }
    }

    /** Reads and prepares the log of {@code source} (its {@code path} a file or directory on any Hadoop file system). */
    public static Prepared prepare(SparkSession spark, DataSource source) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<LogFiles.InputFile> files = LogFiles.list(source.path(), conf);
        DataSource first = source.withPath(localOrUri(files.get(0).uri()));
        if (first.readsSequences() || source.readsSequences()) {
            throw new SeqrecException(source.path() + " is already in FMLP format (give --format for a log with a .txt name)");
        }
        LogFormat format = first.effectiveLogFormat();
        LOG.info("reading {} file(s) of {} as {}", files.size(), source.path(), format);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        CollectionAccumulator<String> rejectedAcc = spark.sparkContext().collectionAccumulator("rejected rows");
        long maxErrors = source.maxErrors() == null ? 0 : source.maxErrors();
        JavaRDD<Row> parsed = jsc.parallelize(files, files.size())
                .mapPartitions(new ParseFiles(FormatSpec.of(format), maxErrors, rejectedAcc));
        Dataset<Row> log = spark.createDataFrame(parsed, ParseFiles.SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
        long t0 = System.nanoTime();
        long rows = log.count(); // the parse runs once, here: the accumulator counts each file once
        LOG.info("parsed {} rows in {} s", rows, secs(t0));
        Map<String, Long> rejected = new TreeMap<>();
        for (String s : rejectedAcc.value()) {
            String[] kv = s.split("\t");
            rejected.merge(kv[0], Long.parseLong(kv[1]), Long::sum);
        }
        if (rows == 0) {
            throw new SeqrecException(source.path() + ": empty dataset (no interactions)"
                    + (rejected.isEmpty() ? "" : ": every row was rejected (" + rejected + ")"));
        }
        // users are numbered by their first row in the log, rated or not (as InteractionLog codes them)
        Dataset<Row> firstSeen = log.groupBy("user").agg(min("ord").as("ufirst"));
        double minRating = source.minRating();
        Dataset<Row> rated = Double.isNaN(minRating) ? log
                : log.filter(not(isnan(col("rating"))).and(col("rating").geq(lit(minRating))));
        long ratedRows = Double.isNaN(minRating) ? rows : rated.count();
        Dataset<Row> kept = persist(rated.groupBy("user", "item", "time").agg(min("ord").as("ord")));
        Row before = kept.agg(count(lit(1)), countDistinct(col("user")), countDistinct(col("item"))).first();
        long keptRows = before.getLong(0);
        long usersBefore = before.getLong(1);
        long itemsBefore = before.getLong(2);
        LOG.info("{} rows after the rating filter and dedup: {} s", keptRows, secs(t0));

        int passes = 0;
        if (source.kcore() > 1) {
            long n = keptRows;
            while (true) {
                passes++;
                Dataset<Row> users = kept.groupBy("user").count().filter(col("count").geq(source.kcore())).select(col("user").as("u"));
                Dataset<Row> byUser = kept.join(users, kept.col("user").equalTo(users.col("u")), "left_semi");
                Dataset<Row> items = byUser.groupBy("item").count().filter(col("count").geq(source.kcore())).select(col("item").as("i"));
                Dataset<Row> next = persist(byUser.join(items, byUser.col("item").equalTo(items.col("i")), "left_semi"));
                long m = next.count();
                kept.unpersist();
                kept = next;
                LOG.info("k-core pass {}: {} interactions ({} s)", passes, m, secs(t0));
                if (m == n) {
                    break;
                }
                n = m;
            }
        }
        long interactions = passes == 0 ? keptRows : kept.count();
        if (interactions == 0) {
            throw new SeqrecException("empty dataset: no user is left after " + source.kcore() + "-core filtering of " + rows
                    + " rows (try a smaller --kcore)");
        }
        Dataset<Row> positioned = persist(kept.join(firstSeen, "user"));
        List<JavaRDD<Row>> sortedRows = new java.util.ArrayList<>(); // released once the numbered tables are materialised
        Dataset<Row> users = persist(numbered(spark, positioned.select("user", "ufirst").distinct().orderBy("ufirst").select("user"),
                "uid", "user", sortedRows));
        // an item's place: its first (user's first row, time, row) among the kept sequences read in user order
        Dataset<Row> items = persist(numbered(spark, positioned.groupBy("item")
                .agg(min(struct(col("ufirst"), col("time"), col("ord"))).as("place")).orderBy("place").select("item"), "iid", "item", sortedRows));
        Dataset<Row> sequences = persist(kept.join(users, "user").join(items, "item")
                .groupBy("uid")
                .agg(sort_array(collect_list(struct(col("time"), col("ord"), col("iid").cast("int").as("iid")))).as("s"))
                .select(col("uid"), col("s.iid").as("items")));
        long nUsers = users.count();
        LOG.info("users numbered: {} s", secs(t0));
        long nItems = items.count();
        sequences.count();
        sortedRows.forEach(JavaRDD::unpersist);
        positioned.unpersist();
        kept.unpersist();
        log.unpersist();
        SequenceBuilder.Report report = new SequenceBuilder.Report(rows, rows - ratedRows, ratedRows - keptRows, usersBefore,
                itemsBefore, passes, nUsers, nItems, interactions);
        LOG.info("sequences built: {} s", secs(t0));
        return new Prepared(sequences, users, items, report, rejected);
    }

    /**
     * Prepares the log and writes the FMLP file {@code out} and, beside it, {@code .item_map.tsv} and
     * {@code .user_map.tsv}, each written as part files and joined into one file in order.
     */
    public static Prepared convert(SparkSession spark, DataSource source, String out) {
        return convert(spark, source, out, SeqBin.DEFAULT_USERS_PER_SHARD);
    }

    /**
     * As {@link #convert(SparkSession, DataSource, String)}; an {@code out} ending in {@code .seqbin} is written
     * in the binary sharded format ({@link SeqBin}), one shard of {@code usersPerShard} users per task.
     */
    public static Prepared convert(SparkSession spark, DataSource source, String out, int usersPerShard) {
        Prepared p = prepare(spark, source);
        write(spark, p, out, usersPerShard);
        return p;
    }

    /** Writes prepared sequences as {@code data convert} would: an FMLP file, or a {@code .seqbin} directory; the id maps beside. */
    public static void write(SparkSession spark, Prepared p, String out, int usersPerShard) {
        long users = p.report().users();
        if (out.toLowerCase(java.util.Locale.ROOT).endsWith(SeqBin.EXTENSION)) {
            writeSeqBin(p, out, usersPerShard, spark);
        } else {
            writeOrdered(p.sequences().select(col("uid"),
                    concat_ws(" ", col("uid").cast("string"), array_join(col("items").cast("array<string>"), " ")).as("line")),
                    users, out, spark);
        }
        writeOrdered(p.items().select(col("iid"), concat_ws("\t", col("iid").cast("string"), col("item")).as("line")),
                p.report().items(), LogFiles.sibling(out, ".item_map.tsv"), spark);
        writeOrdered(p.users().select(col("uid"), concat_ws("\t", col("uid").cast("string"), col("user")).as("line")), users,
                LogFiles.sibling(out, ".user_map.tsv"), spark);
    }

    /**
     * Writes {@code (id, line)} rows with dense ids 1..n as one file in id order: partitioned by id range
     * (no sampling pass: the ids are dense), sorted within partitions, written as part files and joined.
     */
    private static void writeOrdered(Dataset<Row> lines, long n, String out, SparkSession spark) {
        String parts = out + ".parts";
        int p = (int) Math.max(1, Math.min(spark.sparkContext().defaultParallelism(), (n + 99_999) / 100_000));
        lines.javaRDD().mapToPair(r -> new Tuple2<>(r.getLong(0), r.getString(1)))
                .repartitionAndSortWithinPartitions(new IdRanges(p, n)).values().saveAsTextFile(parts);
        LogFiles.concatParts(parts, out, spark.sparkContext().hadoopConfiguration());
        LOG.info("wrote {}", out);
    }

    /** The sequences as {@code .seqbin} shards (one task per shard, each written with the core's shard writer) and meta.json. */
    private static void writeSeqBin(Prepared p, String outDir, int usersPerShard, SparkSession spark) {
        if (usersPerShard < 1) {
            throw new SeqrecException("--shard-users must be positive, got " + usersPerShard);
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        LogFiles.clearShards(outDir, conf);
        long n = p.report().users();
        int shards = SeqBin.shards(n, usersPerShard);
        p.sequences().javaRDD() // the shard holds dense user ids (the originals are in the user map), as data convert writes them
                .mapToPair(r -> new Tuple2<>(r.getLong(0), new Tuple2<>(Long.toString(r.getLong(0)), toInts(r.getList(1)))))
                .repartitionAndSortWithinPartitions(new Shards(usersPerShard, shards))
                .mapPartitionsWithIndex((index, rows) -> {
                    List<String> ids = new java.util.ArrayList<>();
                    List<int[]> seqs = new java.util.ArrayList<>();
                    rows.forEachRemaining(t -> {
                        ids.add(t._2()._1());
                        seqs.add(t._2()._2());
                    });
                    LogFiles.writeFile(outDir + "/" + SeqBin.shardName(index), out -> SeqBin.writeShard(out, ids, seqs), new Configuration());
                    return java.util.List.of(ids.size()).iterator();
                }, true)
                .collect();
        LogFiles.writeFile(outDir + "/meta.json", out -> out.write(SeqBin.meta(n, (int) p.report().items(), p.report().interactions(),
                usersPerShard).getBytes(java.nio.charset.StandardCharsets.UTF_8)), conf);
        LOG.info("wrote {} ({} shard(s))", outDir, shards);
    }

    private static int[] toInts(List<Integer> items) {
        int[] a = new int[items.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = items.get(i);
        }
        return a;
    }

    /** Users 1..n to shards of {@code size} consecutive ids. */
    static final class Shards extends Partitioner {
        private final int size;
        private final int shards;

        Shards(int size, int shards) {
            this.size = size;
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return (int) (((Long) key - 1) / size);
        }
    }

    /** Partitions dense ids 1..n into {@code parts} contiguous ranges, in order. */
    static final class IdRanges extends Partitioner {
        private final int parts;
        private final long n;

        IdRanges(int parts, long n) {
            this.parts = parts;
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return parts;
        }

        @Override
        public int getPartition(Object key) {
            long id = (Long) key;
            return (int) Math.min(parts - 1, (id - 1) * parts / Math.max(1, n));
        }
    }

    /** The rows of a sorted single-column table numbered 1..n in order: {@code (idName long, name string)}. */
    private static Dataset<Row> numbered(SparkSession spark, Dataset<Row> sorted, String idName, String name, List<JavaRDD<Row>> release) {
        StructType schema = new StructType().add(idName, DataTypes.LongType, false).add(name, DataTypes.StringType, false);
        JavaRDD<Row> rows = sorted.javaRDD().persist(StorageLevel.MEMORY_AND_DISK()); // zipWithIndex reads it twice
        release.add(rows);
        Dataset<Row> out = spark.createDataFrame(rows.zipWithIndex().map(t -> RowFactory.create(t._2() + 1, t._1().getString(0))), schema);
        return out;
    }

    private static String secs(long t0) {
        return String.format("%.1f", (System.nanoTime() - t0) / 1e9);
    }

    private static Dataset<Row> persist(Dataset<Row> d) {
        return d.persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** A local file's path (the core's format detection reads its first line), other URIs as they are. */
    static String localOrUri(String uri) {
        return uri.startsWith("file:") ? Path.of(java.net.URI.create(uri)).toString() : uri;
    }
}
