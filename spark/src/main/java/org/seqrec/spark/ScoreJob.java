package org.seqrec.spark;

import static org.apache.spark.sql.functions.col;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.data.IdMap;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code seqrec-spark score}: the top-k next items of every user of a partitioned table, as {@code seqrec
 * score} computes them (the whole history, in original ids; seen items excluded unless asked), written as
 * Parquet {@code (user, rank, item, score)}. The table is an FMLP sequence file or directory (with the id
 * maps {@code data convert} writes beside it, when there are any) or an interaction log, prepared by
 * {@link PrepareJob} (k-core 1 unless given: every user is scored). Each executor loads the run once
 * (the {@link Recommender} is thread-safe) and scores its partitions in batches.
 */
public final class ScoreJob {
    private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);
    static final StructType HISTORY = new StructType()
            .add("user", DataTypes.StringType, false)
            .add("history", DataTypes.createArrayType(DataTypes.StringType, false), false);
    static final StructType OUTPUT = new StructType()
            .add("user", DataTypes.StringType, false)
            .add("rank", DataTypes.IntegerType, false)
            .add("item", DataTypes.StringType, false)
            .add("score", DataTypes.FloatType, false);

    private ScoreJob() {}

    /** Scoring options. */
    public record Options(String run, int k, boolean includeSeen, int batch) implements java.io.Serializable {}

    /** Users' histories in original ids: {@code (user string, history array<string>)}. */
    public static Dataset<Row> histories(SparkSession spark, DataSource source) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (source.resolvedFormat().equals("seqbin")) { // a directory of shards, named NAME.seqbin
            return seqbinHistories(spark, source.path(), conf);
        }
        List<LogFiles.InputFile> files = LogFiles.list(source.path(), conf);
        DataSource first = source.withPath(PrepareJob.localOrUri(files.get(0).uri()));
        if (!first.resolvedFormat().equals("fmlp")) {
            PrepareJob.Prepared p = PrepareJob.prepare(spark, source);
            LOG.info("{}: {}", source.path(), p.report());
            String[] items = p.items().orderBy("iid").select("item").as(Encoders.STRING()).collectAsList().toArray(new String[0]);
            Broadcast<String[]> names = spark.sparkContext().broadcast(items, scala.reflect.ClassTag$.MODULE$.apply(String[].class));
            JavaRDD<Row> rows = p.sequences().join(p.users(), "uid").select(col("user"), col("items")).javaRDD().map(r -> {
                List<Integer> ids = r.getList(1);
                String[] history = new String[ids.size()];
                for (int i = 0; i < history.length; i++) {
                    history[i] = names.value()[ids.get(i) - 1];
                }
                return RowFactory.create(r.getString(0), history);
            });
            return spark.createDataFrame(rows, HISTORY);
        }
        // FMLP: one user per line; the maps beside a single file, as FmlpReader reads them
        boolean single = !LogFiles.isDirectory(source.path(), conf);
        String[] itemNames = single ? readMap(LogFiles.sibling(source.path(), ".item_map.tsv"), conf) : null;
        String[] userNames = single ? readMap(LogFiles.sibling(source.path(), ".user_map.tsv"), conf) : null;
        var tag = scala.reflect.ClassTag$.MODULE$.<String[]>apply(String[].class);
        Broadcast<String[]> itemB = spark.sparkContext().broadcast(itemNames, tag);
        Broadcast<String[]> userB = spark.sparkContext().broadcast(userNames, tag);
        JavaRDD<Row> rows = spark.read().textFile(source.path()).javaRDD().flatMap(line -> {
            String[] tok = line.trim().split("\\s+");
            if (tok.length == 1 && tok[0].isEmpty()) {
                return java.util.Collections.emptyIterator();
            }
            String[] items = itemB.value();
            String[] history = new String[tok.length - 1];
            for (int i = 1; i < tok.length; i++) {
                int id = Integer.parseInt(tok[i]);
                if (id < 1 || (items != null && id > items.length)) {
                    throw new SeqrecException("item id " + id + " of user " + tok[0] + " is not in the item map");
                }
                history[i - 1] = items == null ? tok[i] : items[id - 1];
            }
            return List.of(RowFactory.create(originalUser(tok[0], userB.value()), history)).iterator();
        });
        return spark.createDataFrame(rows, HISTORY);
    }

    /** The histories of a {@code .seqbin} directory: one task per shard, read with the core's shard reader. */
    private static Dataset<Row> seqbinHistories(SparkSession spark, String dir, Configuration conf) {
        com.fasterxml.jackson.databind.JsonNode meta;
        org.apache.hadoop.fs.Path metaPath = new org.apache.hadoop.fs.Path(dir + "/meta.json");
        try (var in = metaPath.getFileSystem(conf).open(metaPath)) {
            meta = org.seqrec.util.Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int numItems = meta.path("items").asInt();
        List<String> shards = new ArrayList<>();
        for (var s : meta.path("shards")) {
            shards.add(dir + "/" + s.asText());
        }
        var tag = scala.reflect.ClassTag$.MODULE$.<String[]>apply(String[].class);
        Broadcast<String[]> itemB = spark.sparkContext().broadcast(readMap(LogFiles.sibling(dir, ".item_map.tsv"), conf), tag);
        Broadcast<String[]> userB = spark.sparkContext().broadcast(readMap(LogFiles.sibling(dir, ".user_map.tsv"), conf), tag);
        JavaRDD<Row> rows = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(shards, shards.size()).flatMap(shard -> {
                    java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("seqrec-shard-");
                    try {
                        List<String> ids = new ArrayList<>();
                        List<int[]> seqs = new ArrayList<>();
                        org.seqrec.data.SeqBin.readShard(LogFiles.local(shard, tmp, new Configuration()), numItems, ids, seqs);
                        List<Row> out = new ArrayList<>(ids.size());
                        for (int u = 0; u < ids.size(); u++) {
                            out.add(RowFactory.create(originalUser(ids.get(u), userB.value()), originals(seqs.get(u), itemB.value())));
                        }
                        return out.iterator();
                    } finally {
                        LogFiles.deleteTree(tmp);
                    }
                });
        return spark.createDataFrame(rows, HISTORY);
    }

    private static String[] originals(int[] ids, String[] names) {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = names == null ? Integer.toString(ids[i]) : names[ids[i] - 1];
        }
        return out;
    }

    /** Dataset.originalUserId: the dense id through the user map, else the id as written. */
    private static String originalUser(String user, String[] users) {
        if (users != null) {
            try {
                int u = Integer.parseInt(user);
                if (u >= 1 && u <= users.length) {
                    return users[u - 1];
                }
            } catch (NumberFormatException e) {
                // kept as written
            }
        }
        return user;
    }

    /** Scores the histories: {@code (user, rank, item, score)}. */
    public static Dataset<Row> score(SparkSession spark, Dataset<Row> histories, Options options) {
        return spark.createDataFrame(histories.javaRDD().mapPartitions(new ScorePartition(options)), OUTPUT);
    }

    /** Scores the data of {@code source} with the run and writes Parquet to {@code out}. */
    public static long run(SparkSession spark, DataSource source, Options options, String out) {
        Dataset<Row> scored = score(spark, histories(spark, source), options);
        scored.write().parquet(out);
        return spark.read().parquet(out).select("user").distinct().count();
    }

    /** The originals of an id map beside the data ({@link IdMap}'s format and checks), or null when there is none. */
    private static String[] readMap(String path, Configuration conf) {
        if (!LogFiles.exists(path, conf)) {
            return null;
        }
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getFileSystem(conf).open(p), StandardCharsets.UTF_8))) {
            IdMap map = IdMap.read(r, path);
            String[] names = new String[map.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = map.original(i + 1);
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One partition's users, scored in batches by this JVM's recommender for the run. */
    static final class ScorePartition implements FlatMapFunction<Iterator<Row>, Row> {
        private static final Map<String, Recommender> LOADED = new ConcurrentHashMap<>();
        private final Options options;

        ScorePartition(Options options) {
            this.options = options;
        }

        /** The run's recommender, loaded once per JVM (an executor's tasks share it: it is thread-safe). */
        static Recommender recommender(String run) {
            return LOADED.computeIfAbsent(run, r -> Recommender.load(Path.of(r)));
        }

        @Override
        public Iterator<Row> call(Iterator<Row> users) {
            Recommender rec = recommender(options.run());
            if (options.k() < 1 || options.k() > rec.numItems()) {
                throw new SeqrecException("--k must be in 1.." + rec.numItems() + " (the number of items), got " + options.k());
            }
            return new Iterator<>() { // one batch scored at a time: a partition's output is never held whole
                private final List<Row> out = new ArrayList<>();
                private int at;

                @Override
                public boolean hasNext() {
                    while (at == out.size() && users.hasNext()) {
                        out.clear();
                        at = 0;
                        scoreBatch(rec, users, out);
                    }
                    return at < out.size();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return out.get(at++);
                }
            };
        }

        private void scoreBatch(Recommender rec, Iterator<Row> users, List<Row> out) {
            List<String> ids = new ArrayList<>();
            List<Recommender.Query> queries = new ArrayList<>();
            while (users.hasNext() && queries.size() < options.batch()) {
                Row r = users.next();
                ids.add(r.getString(0));
                queries.add(new Recommender.Query(r.getList(1), options.k(), !options.includeSeen(), r.getString(0))); // the user: read by FM, AutoInt
            }
            List<Recommender.Result> results = rec.recommendAll(queries);
            for (int q = 0; q < queries.size(); q++) {
                List<Recommender.Item> items = results.get(q).items();
                for (int i = 0; i < items.size(); i++) {
                    out.add(RowFactory.create(ids.get(q), i + 1, items.get(i).id(), items.get(i).score()));
                }
            }
        }
    }
}
