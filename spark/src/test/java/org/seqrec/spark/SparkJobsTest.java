package org.seqrec.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.RowErrors;
import org.seqrec.data.SequenceBuilder;

/**
 * The Spark jobs in local mode against the single-machine commands on the same input: preparation
 * byte for byte equal to {@code data convert} (messy logs: duplicates, ties in time, a k-core that
 * needs several passes, bad rows, ratings, several part files, Parquet), scoring equal to {@code score}.
 */
class SparkJobsTest {
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("seqrec-spark-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A messy log with a known shape: popular and rare items, users near the k-core bound, duplicates, ties, bad rows. */
    static List<String> messyRows(long seed, int users, int items, boolean withBadRows) {
        Random rnd = new Random(seed);
        List<String> rows = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            String user = u % 17 == 3 ? "\"u," + u + "\"" : "u" + (u * 7919 % 1000); // quoted ids with the delimiter inside
            int n = 1 + rnd.nextInt(u % 5 == 0 ? 3 : 9); // a fifth of the users sit at the k-core bound
            for (int j = 0; j < n; j++) {
                int item = (int) Math.floor(Math.pow(rnd.nextDouble(), 2.2) * items); // skewed: rare items fall out, then their users
                long t = 1_600_000_000L + rnd.nextInt(12) * 60L; // few distinct times: ties inside a user
                String time = rnd.nextInt(10) == 0 ? java.time.Instant.ofEpochSecond(t).toString() : Long.toString(t);
                String rating = Integer.toString(1 + rnd.nextInt(5));
                String row = user + ",i" + item + "," + time + "," + rating;
                rows.add(row);
                if (rnd.nextInt(8) == 0) {
                    rows.add(row); // an exact duplicate
                }
                if (rnd.nextInt(10) == 0) {
                    rows.add(user + ",i" + item + "," + t + "," + (1 + rnd.nextInt(5))); // same (user, item, time), other rating
                }
            }
            if (withBadRows && u % 23 == 7) {
                rows.add(user + ",,1600000000,3");
                rows.add(user + ",i1,yesterday,3");
                rows.add(user + ",i2");
            }
        }
        return rows;
    }

    private Path write(String name, List<String> lines) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    private static DataSource csv(Path file, int kcore, double minRating, int maxErrors) {
        return new DataSource(file.toString(), "csv", null, null, null, null, null, null, kcore, minRating, null,
                maxErrors == 0 ? null : maxErrors, null);
    }

    /** Runs both converters and checks the three files byte for byte; returns the single-machine result and Spark's tables. */
    private record Both(SequenceBuilder.Result core, PrepareJob.Prepared spark) {}

    private Both assertSameConversion(DataSource core, DataSource sparkSource) throws IOException {
        RowErrors errors = core.rowErrors();
        SequenceBuilder.Result expected = core.convert(errors);
        Path a = dir.resolve("convert/out.txt");
        Files.createDirectories(a.getParent());
        expected.dataset().save(a);
        Path b = dir.resolve("spark/out.txt");
        PrepareJob.Prepared got = PrepareJob.convert(spark, sparkSource, b.toString());
        assertThat(Files.readString(b)).isEqualTo(Files.readString(a));
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
        assertThat(Files.readAllBytes(Dataset.itemMapPath(b))).isEqualTo(Files.readAllBytes(Dataset.itemMapPath(a)));
        assertThat(Files.readAllBytes(Dataset.userMapPath(b))).isEqualTo(Files.readAllBytes(Dataset.userMapPath(a)));
        assertThat(got.report()).isEqualTo(expected.report());
        assertThat(got.rejected()).isEqualTo(errors.byReason());
        if (errors.rejected() > 0) {
            assertThat(got.rejected()).containsKeys(RowErrors.EMPTY_ID, RowErrors.TIME, RowErrors.COLUMNS);
        }
        try (var list = Files.list(b.getParent())) { // no part directories or temporary files left behind
            assertThat(list.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("out.item_map.tsv", "out.txt", "out.user_map.tsv");
        }
        return new Both(expected, got);
    }

    @Test
    void preparationEqualsDataConvertOnAMessyCsv() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("user_id,item_id,timestamp,rating");
        lines.addAll(messyRows(7, 400, 120, true));
        Path log = write("messy.csv", lines);
        DataSource source = csv(log, 3, 2.0, 500);
        Both both = assertSameConversion(source, source);
        SequenceBuilder.Report r = both.core().report();
        // the binary sharded format written from the same preparations: every shard, meta.json and map byte for byte
        Path a = dir.resolve("bin-convert/out.seqbin");
        org.seqrec.data.SeqBin.save(both.core().dataset(), a, 37);
        Path b = dir.resolve("bin-spark/out.seqbin");
        PrepareJob.write(spark, both.spark(), b.toString(), 37);
        List<String> names;
        try (var list = Files.list(a)) {
            names = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).hasSize(1 + (int) Math.ceil(r.users() / 37.0)).contains("meta.json", "shard-00000.bin");
        try (var list = Files.list(b)) {
            assertThat(list.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(names);
        }
        for (String name : names) {
            assertThat(Files.readAllBytes(b.resolve(name))).as(name).isEqualTo(Files.readAllBytes(a.resolve(name)));
        }
        for (String map : new String[] {"out.item_map.tsv", "out.user_map.tsv"}) {
            assertThat(Files.readAllBytes(b.getParent().resolve(map))).as(map).isEqualTo(Files.readAllBytes(a.getParent().resolve(map)));
        }
        // the fixture exercises what it claims to
        assertThat(r.duplicates()).isPositive();
        assertThat(r.belowMinRating()).isPositive();
        assertThat(r.kcorePasses()).isGreaterThanOrEqualTo(3);
        assertThat(r.users()).isLessThan(r.usersBefore());
        assertThat(r.items()).isLessThan(r.itemsBefore());
    }

    @Test
    void optionsTheJobCannotHonourAreRefusedBeforeAnyWork() throws IOException {
        Path log = write("tiny.csv", List.of("user_id,item_id,timestamp", "a,x,1"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("prepare", "--data", log.toString(), "--out", dir.resolve("o.txt").toString(), "--rejects",
                    dir.resolve("r.tsv").toString());
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rejects").contains("data convert");
        assertThat(dir.resolve("o.txt")).doesNotExist();
        assertThat(spark.sparkContext().isStopped()).as("the shared session is untouched").isFalse();
    }

    @Test
    void aDirectoryOfPartFilesEqualsTheirConcatenation() throws IOException {
        // headerless TSV in two part files (and Spark's marker files, which are not data) against one file holding both
        List<String> rows = new ArrayList<>();
        for (String row : messyRows(5, 300, 90, false)) {
            if (!row.contains("\"")) {
                rows.add(row.replace(',', '\t'));
            }
        }
        Path parts = Files.createDirectories(dir.resolve("parts"));
        Files.write(parts.resolve("part-00000.tsv"), rows.subList(0, rows.size() / 2));
        Files.write(parts.resolve("part-00001.tsv"), rows.subList(rows.size() / 2, rows.size()));
        Files.write(parts.resolve("_SUCCESS"), new byte[0]);
        Path whole = write("whole.tsv", rows);
        for (String time : new String[] {"2", "none"}) { // timestamps, and file order (no time column)
            // no k-core here (the messy-CSV test covers it): what is tested is the order of rows across part files
            DataSource core = new DataSource(whole.toString(), "tsv", null, false, "0", "1", time, null, 1, Double.NaN);
            assertSameConversion(core, core.withPath(parts.toString()));
        }
    }

    @Test
    void parquetPartFilesAreReadAsDataConvertReadsThem() throws IOException {
        StructType schema = new StructType().add("user_id", DataTypes.StringType).add("item_id", DataTypes.LongType)
                .add("timestamp", DataTypes.TimestampType);
        List<Row> rows = new ArrayList<>();
        for (String row : messyRows(3, 250, 70, false)) {
            String[] f = row.split(",(?=[^,]*,[^,]*,[^,]*$)"); // the user may hold a comma
            String[] rest = f[1].split(",");
            long t = rest[1].contains("T") ? java.time.Instant.parse(rest[1]).getEpochSecond() : Long.parseLong(rest[1]);
            rows.add(RowFactory.create(f[0], Long.parseLong(rest[0].substring(1)), new java.sql.Timestamp(t * 1000)));
        }
        Path pq = dir.resolve("log.parquet");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(pq.toString());
        Path part;
        try (var list = Files.list(pq)) {
            part = list.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        DataSource core = new DataSource(part.toString(), "parquet", null, null, null, null, null, null, 3, Double.NaN);
        assertSameConversion(core, core.withPath(pq.toString()));
    }

    @Test
    void scoringEqualsSeqrecScore() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("user_id,item_id,timestamp,rating");
        lines.addAll(messyRows(13, 300, 60, false));
        Path log = write("shop.csv", lines);
        Path fmlp = dir.resolve("shop.txt");
        assertThat(org.seqrec.cli.Main.run("data", "convert", "--data", log.toString(), "--kcore", "3", "--out", fmlp.toString())).isZero();
        Path run = dir.resolve("run");
        assertThat(org.seqrec.cli.Main.run("train", "--model", "convformer", "--data", fmlp.toString(), "--out", run.toString(), "--hidden",
                "16", "--max-len", "8", "--kernel", "3", "--epochs", "1", "--protocol", "full", "--no-eval", "-q")).isZero();
        Path bin = dir.resolve("shop.seqbin");
        assertThat(org.seqrec.cli.Main.run("data", "convert", "--data", fmlp.toString(), "--out", bin.toString(), "--shard-users", "50")).isZero();
        // sequences, a raw log (prepared with k-core 1, as score does), and the binary format (one task per shard)
        String[][] inputs = {{fmlp.toString()}, {log.toString()}, {bin.toString()}};
        for (String[] in : inputs) {
            Path csv = dir.resolve("recs-" + Path.of(in[0]).getFileName() + ".csv");
            assertThat(org.seqrec.cli.Main.run("score", "--run", run.toString(), "--data", in[0], "--k", "5", "--out", csv.toString(),
                    "--batch", "37")).isZero();
            Map<String, String[]> expected = new HashMap<>();
            List<String> csvLines = Files.readAllLines(csv);
            for (String line : csvLines.subList(1, csvLines.size())) {
                org.apache.commons.csv.CSVRecord rec = org.apache.commons.csv.CSVParser.parse(line,
                        org.apache.commons.csv.CSVFormat.DEFAULT).getRecords().get(0);
                expected.put(rec.get(0) + "#" + rec.get(1), new String[] {rec.get(2), rec.get(3)});
            }
            DataSource src = csv(Path.of(in[0]), 1, Double.NaN, 0).withPath(in[0]);
            if (in[0].endsWith(".txt") || in[0].endsWith(".seqbin")) {
                src = new DataSource(in[0], "auto", null, null, null, null, null, null, 1, Double.NaN);
            }
            String out = dir.resolve("scores-" + Path.of(in[0]).getFileName()).toString();
            long users = ScoreJob.run(spark, src, new ScoreJob.Options(run.toString(), 5, false, 19), out);
            List<Row> got = spark.read().parquet(out).collectAsList();
            assertThat(got).hasSize(expected.size());
            assertThat(users * 5).isEqualTo(expected.size());
            for (Row r : got) {
                String[] e = expected.get(r.getString(0) + "#" + r.getInt(1));
                assertThat(e).as("user %s rank %d", r.getString(0), r.getInt(1)).isNotNull();
                assertThat(r.getString(2)).isEqualTo(e[0]);
                assertThat((double) r.getFloat(3)).isCloseTo(Double.parseDouble(e[1]), within(1e-5));
            }
        }
    }
}
