package org.seqrec.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.eval.Protocol;
import org.seqrec.run.NegativesChoice;
import org.seqrec.run.RunDir;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * seqrec import / export: the ConvFormer authors' released Beauty checkpoint gives their logged metrics
 * under seqrec's evaluator; the PyTorch reader reads what Python's struct reads; export -> import gives the
 * same scores; damaged, foreign and mismatched checkpoints are refused by name.
 */
class InteropTest {
    static final Path AUTHORS = Path.of("..", "shared", "checkpoints", "convformer-authors", "beauty-full");
    static final Path BEAUTY = Fixtures.SHARED_FMLP.resolve("Beauty.txt");

    @TempDir Path dir;

    private static Interop.Request request(String source, Path checkpoint, DataSource data, Path out, Map<String, String> options) {
        return new Interop.Request(source, checkpoint, data, out, false, options, null, Map.of(), Protocol.FULL, false);
    }

    /** The six test metrics of the authors' log.log (their evaluator) equal seqrec's on their weights, and the validation line too. */
    @Test
    void theAuthorsReleasedBeautyCheckpointGivesTheirLoggedMetrics() throws Exception {
        Path run = dir.resolve("authors");
        Interop.importRun(request("convformer-authors", AUTHORS.resolve("model.pt"), DataSource.fmlp(BEAUTY), run,
                Map.of("padding", "circular")));
        JsonNode results = Runs.evaluate(run, Protocol.FULL, new NegativesChoice(null, null), 512);
        List<String> log = Files.readAllLines(AUTHORS.resolve("log.log"));
        Map<String, String> test = logged(log.stream().filter(l -> l.startsWith("Test,")).reduce((a, b) -> b).orElseThrow());
        String[][] names = {{"HIT@5", "HR@5"}, {"NDCG@5", "NDCG@5"}, {"HIT@10", "HR@10"}, {"NDCG@10", "NDCG@10"}, {"HIT@20", "HR@20"},
            {"NDCG@20", "NDCG@20"}};
        for (String[] n : names) {
            assertThat(String.format("%.4f", results.path("test").path(n[1]).asDouble())).as(n[1]).isEqualTo(test.get(n[0]));
        }
        // the selected epoch's validation line is among the logged ones
        Map<String, String> ours = new LinkedHashMap<>();
        for (String[] n : names) {
            ours.put(n[0], String.format("%.4f", results.path("valid").path(n[1]).asDouble()));
        }
        assertThat(log.stream().filter(l -> l.startsWith("Val,")).map(InteropTest::logged)
                .anyMatch(v -> ours.entrySet().stream().allMatch(e -> e.getValue().equals(v.get(e.getKey()))))).as("valid " + ours).isTrue();
        JsonNode provenance = Json.read(new RunDir(run).provenance());
        assertThat(provenance.path("sha256").asText()).hasSize(64);
        assertThat(provenance.path("weights").path("blocks.0.mixer.weight").asText())
                .isEqualTo("item_encoder.layer.0.filterlayer.conv.depthwise_conv.weight");
        assertThat(Json.read(new RunDir(run).config()).path("params").path("kernel").asInt()).isEqualTo(30);
    }

    private static Map<String, String> logged(String line) {
        Map<String, String> m = new HashMap<>();
        Matcher x = Pattern.compile("'([A-Z]+@\\d+)': '([0-9.]+)'").matcher(line);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    /**
     * Fixtures made by the authors' own modules (src/test/python/make_import_fixtures.py): CONV with each padding
     * and FCONV, with the scores their full-sort prediction computed for five histories; seqrec's scores of the
     * imported runs agree to 1e-5 (FCONV: against their modules in float64, see the fixture README).
     */
    @Test
    void theAuthorsModulesScoresAreSeqrecsScoresForEveryVariant() throws Exception {
        for (String variant : new String[] {"conv-circular", "conv-reflect", "conv-zero", "fconv"}) {
            Map<String, String> options = variant.equals("fconv") ? Map.of() : Map.of("padding", variant.substring(5));
            assertFixtureScores("convformer-authors", "convformer-authors-" + variant + ".pt", options);
        }
    }

    /**
     * RecBole-format checkpoints (its trainer's dict: config object with enums and a torch.device, state dict, Adam
     * state) of GRU4Rec and SASRec, whose modules follow RecBole's files and whose state dicts load strictly into
     * RecBole's own classes (src/test/python/verify_recbole_fixtures.py): seqrec's scores agree to 1e-5.
     */
    @Test
    void recBolesGru4RecAndSasRecScoreAsRecBoleDoes() throws Exception {
        for (String model : new String[] {"gru4rec", "sasrec"}) {
            String name = "recbole-" + model + ".pth";
            assertFixtureScores("recbole", name, Map.of());
            // exported in RecBole's convention: the fixture's own state dict, name for name, bit for bit
            Path back = dir.resolve(model + ".safetensors");
            Interop.export(dir.resolve(name), "recbole", back);
            Map<String, Tensor> original = Interop.read(Path.of("src/test/resources/interop/" + name)).tensors();
            Map<String, Tensor> exported = Safetensors.read(back).tensors();
            assertThat(exported.keySet()).containsExactlyInAnyOrderElementsOf(original.keySet());
            original.forEach((k, t) -> assertThat(exported.get(k).floats()).as(k).containsExactly(t.floats()));
        }
        assertThat(Json.read(new RunDir(dir.resolve("recbole-sasrec.pth")).config()).path("params").path("block").asText()).isEqualTo("post-ln");
    }

    /** RecBole models whose computation seqrec's models do not reproduce are refused with the reason, not imported approximately. */
    @Test
    void recBoleModelsSeqrecCannotReproduceAreRefusedWithTheReason() {
        Path data = items29();
        String[][] cases = {{"bert4rec", "drops the oldest item"}, {"caser", "user embedding"}, {"adamct", "right-padded window"},
            {"recgrela", "right-padded window"}};
        for (String[] c : cases) {
            Path fixture = Path.of("src/test/resources/interop/recbole-" + c[0] + ".pth");
            assertThatThrownBy(() -> Interop.importRun(request("recbole", fixture, DataSource.fmlp(data), dir.resolve(c[0]), Map.of())))
                    .as(c[0]).hasMessageContaining("are not imported").hasMessageContaining(c[1]);
        }
    }

    /** A fmlp file whose users cover item ids 1..29, each item 5 times: the fixtures' 29 items. */
    private Path items29() {
        StringBuilder sb = new StringBuilder();
        for (int u = 0; u < 29; u++) {
            sb.append(u + 1);
            for (int j = 0; j < 5; j++) {
                sb.append(' ').append((u + j) % 29 + 1);
            }
            sb.append('\n');
        }
        return Fixtures.write(dir, "items29.txt", sb.toString());
    }

    /** Imports fixture {@code name} and compares seqrec's score of every item with the fixture's for each of its histories. */
    private void assertFixtureScores(String source, String name, Map<String, String> options) {
        Path fixture = Path.of("src/test/resources/interop/" + name);
        JsonNode expected = Json.read(Path.of("src/test/resources/interop/" + name.replaceAll("\\.pth?$", "") + "-scores.json"));
        Path run = dir.resolve(name);
        Interop.importRun(request(source, fixture, DataSource.fmlp(items29()), run, options));
        try (Recommender r = Recommender.load(run)) {
            for (int h = 0; h < expected.path("histories").size(); h++) {
                List<String> history = new ArrayList<>();
                expected.path("histories").get(h).forEach(i -> history.add(i.asText()));
                Map<String, Float> ours = scores(r, history);
                JsonNode theirs = expected.path("scores").get(h);
                for (int i = 1; i < theirs.size(); i++) { // index 0: padding, never an answer
                    assertThat((double) ours.get(String.valueOf(i))).as(name + " history " + h + " item " + i)
                            .isCloseTo(theirs.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }
    }

    /** Values and shapes as Python's zipfile + struct read the raw storages (first values and sums computed there). */
    @Test
    void thePyTorchReaderReadsWhatPythonReads() {
        Map<String, Tensor> sd = TorchCheckpoint.readStateDict(AUTHORS.resolve("model.pt"));
        assertThat(sd).hasSize(24);
        assertThat(sd.keySet()).startsWith("item_embeddings.weight", "position_embeddings.weight", "LayerNorm.weight");
        Tensor items = sd.get("item_embeddings.weight");
        assertThat(items.shape()).containsExactly(12102, 64);
        assertThat(items.floats()[0]).isEqualTo(0.038685910403728485f);
        assertThat(items.floats()[2]).isEqualTo(0.004850815981626511f);
        assertThat(sum(items.floats())).isCloseTo(-453.1090239266918, org.assertj.core.data.Offset.offset(1e-6));
        Tensor conv = sd.get("item_encoder.layer.0.filterlayer.conv.depthwise_conv.weight");
        assertThat(conv.shape()).containsExactly(64, 1, 30);
        assertThat(conv.floats()[1]).isEqualTo(0.1448422521352768f);
        assertThat(sum(conv.floats())).isCloseTo(118.98700955390086, org.assertj.core.data.Offset.offset(1e-6));
        Tensor dense = sd.get("item_encoder.layer.0.intermediate.dense_1.weight");
        assertThat(dense.shape()).containsExactly(256, 64);
        assertThat(sum(dense.floats())).isCloseTo(-25.97016726514039, org.assertj.core.data.Offset.offset(1e-6));
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s;
    }

    @Test
    void damagedForeignAndLegacyFilesAreRefused() throws Exception {
        byte[] good = Files.readAllBytes(AUTHORS.resolve("model.pt"));
        Path truncated = dir.resolve("truncated.pt");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> TorchCheckpoint.read(truncated)).isInstanceOf(SeqrecException.class).hasMessageContaining("truncated or damaged");
        Path flipped = dir.resolve("flipped.pt");
        byte[] bad = good.clone();
        bad[good.length / 3] ^= 0x10; // inside the item table's storage
        Files.write(flipped, bad);
        assertThatThrownBy(() -> TorchCheckpoint.read(flipped)).isInstanceOf(SeqrecException.class).hasMessageContaining("damaged");
        Path legacy = dir.resolve("legacy.pt");
        Files.write(legacy, new byte[] {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc});
        assertThatThrownBy(() -> TorchCheckpoint.read(legacy)).hasMessageContaining("legacy format");
        Path text = Fixtures.write(dir, "notes.pt", "hello");
        assertThatThrownBy(() -> TorchCheckpoint.read(text)).hasMessageContaining("not a PyTorch checkpoint");
        assertThatThrownBy(() -> TorchCheckpoint.read(dir.resolve("missing.pt"))).hasMessageContaining("does not exist");
        Path badSafe = Fixtures.write(dir, "x.safetensors", "\u0010\0\0\0\0\0\0\0{not json}     ");
        assertThatThrownBy(() -> Safetensors.read(badSafe)).hasMessageContaining("damaged or not a safetensors file");
        // the authors' CONV without its padding, with a padding FCONV cannot have, and from the wrong source
        DataSource beauty = DataSource.fmlp(BEAUTY);
        assertThatThrownBy(() -> Interop.importRun(request("convformer-authors", AUTHORS.resolve("model.pt"), beauty, dir.resolve("a"),
                Map.of()))).hasMessageContaining("do not record their padding");
        assertThatThrownBy(() -> Interop.importRun(request("seqrec", AUTHORS.resolve("model.pt"), beauty, dir.resolve("b"), Map.of())))
                .hasMessageContaining("was not written by seqrec export");
        assertThatThrownBy(() -> Interop.importRun(request("recbole-x", AUTHORS.resolve("model.pt"), beauty, dir.resolve("c"), Map.of())))
                .hasMessageContaining("unknown checkpoint source");
        assertThat(dir.resolve("a")).doesNotExist();
        assertThatThrownBy(() -> Interop.importRun(request("convformer-authors", dir.resolve("not-read.pt"), beauty, dir, Map.of())))
                .as("an existing --out is refused before the checkpoint is read").hasMessageContaining(dir.toString())
                .hasMessageNotContaining("not-read.pt").hasMessageContaining("--overwrite")
                .as("import cannot continue a run").hasMessageNotContaining("--resume");
    }

    /**
     * Forged pickles (src/test/python/make_hostile_checkpoints.py): a 4 GiB view of a 1-element storage, a negative
     * shape and 200,000 nested lists are refused with a message, not an OutOfMemoryError or StackOverflowError; a
     * REDUCE of open (io.open) is kept as an inert object (nothing runs: no file appears) and is not a state dict.
     */
    @Test
    void hostilePicklesAreRefusedAndNothingRuns() {
        Path fixtures = Path.of("src/test/resources/interop");
        assertThatThrownBy(() -> TorchCheckpoint.read(fixtures.resolve("hostile-repeat.pt"))).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("too large to read");
        assertThatThrownBy(() -> TorchCheckpoint.read(fixtures.resolve("hostile-negative.pt"))).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("shape [-1]");
        assertThatThrownBy(() -> TorchCheckpoint.read(fixtures.resolve("hostile-deep.pt"))).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("nests its objects too deeply");
        Object exec = TorchCheckpoint.read(fixtures.resolve("hostile-exec.pt"));
        assertThat(Path.of("hostile-exec-ran")).doesNotExist();
        assertThat(((Map<?, ?>) exec).get("w")).isInstanceOf(TorchCheckpoint.PyObject.class).hasToString("io.open[hostile-exec-ran, w]");
        assertThatThrownBy(() -> TorchCheckpoint.readStateDict(fixtures.resolve("hostile-exec.pt")))
                .hasMessageContaining("its entry 'w' is an object of class io.open");
    }

    /** A tiny ConvFormer trained on a CSV log, exported and imported back (from a log listing users in another order). */
    @Test
    void exportThenImportGivesTheSameScores() throws Exception {
        Dataset d = Synthetic.repeatedCycles(40, 30, 5, 6, 12, 3);
        Path log = csv(d, dir.resolve("log.csv"), false);
        Path shuffled = csv(d, dir.resolve("shuffled.csv"), true);
        DataSource source = csvSource(log);
        DataSource other = csvSource(shuffled);
        Path trained = dir.resolve("trained");
        Map<String, Object> p = Map.of("epochs", 2, "hidden", 16, "max_len", 10, "kernel", 4, "batch", 32, "layers", 2);
        Runs.train(TrainRequest.builder("convformer", source, trained).params(p).seed(5).evaluate(false).keepHistories(false).build());

        Path seqrecFile = dir.resolve("export/model.safetensors");
        Files.createDirectories(seqrecFile.getParent());
        Path cfg = Interop.export(trained, "seqrec", seqrecFile);
        assertThat(Json.read(cfg).path("item_ids")).hasSize(30);
        Path back = dir.resolve("back"); // the same log: bit-identical weights and scores
        Interop.importRun(request("seqrec", seqrecFile, source, back, Map.of()));
        Path reordered = dir.resolve("reordered"); // users (so item ids) in another order: the item rows follow the ids
        Interop.importRun(request("seqrec", seqrecFile, other, reordered, Map.of()));

        Path authorsFile = dir.resolve("export/authors.safetensors");
        Interop.export(trained, "convformer-authors", authorsFile);
        assertThat(Safetensors.read(authorsFile).tensors()).containsKeys("item_embeddings.weight",
                "item_encoder.layer.1.filterlayer.conv.depthwise_conv.weight");
        Path viaAuthors = dir.resolve("via-authors");
        Interop.importRun(request("convformer-authors", authorsFile, other, viaAuthors, Map.of("padding", "circular")));

        Random r = new Random(1);
        try (Recommender a = Recommender.load(trained); Recommender b = Recommender.load(back); Recommender c = Recommender.load(viaAuthors);
                Recommender d2 = Recommender.load(reordered)) {
            for (int q = 0; q < 6; q++) {
                List<String> history = new ArrayList<>();
                for (int i = 0; i <= q * 2; i++) {
                    history.add("i" + (1 + r.nextInt(30)));
                }
                Map<String, Float> sa = scores(a, history);
                assertThat(sa).hasSize(30);
                assertThat(scores(b, history)).isEqualTo(sa);
                // another item order changes only the summation order of the scoring product: equal to float precision
                assertClose(scores(c, history), sa, 1e-6);
                assertClose(scores(d2, history), sa, 1e-6);
            }
        }
        // data with other items is refused: the checkpoint's vocabulary is checked
        Dataset fewer = Synthetic.repeatedCycles(40, 25, 5, 6, 12, 3);
        Path small = csv(fewer, dir.resolve("small.csv"), false);
        assertThatThrownBy(() -> Interop.importRun(request("seqrec", seqrecFile, csvSource(small), dir.resolve("x"), Map.of()))).hasMessageContaining("has 30 items").hasMessageContaining("has 25");
    }

    /** Tensors added, missing or mis-shaped: refused with the key's name. */
    @Test
    void unknownMissingAndMisShapedTensorsAreRefusedByName() throws Exception {
        Map<String, Tensor> sd = new LinkedHashMap<>(TorchCheckpoint.readStateDict(AUTHORS.resolve("model.pt")));
        DataSource beauty = DataSource.fmlp(BEAUTY);
        Map<String, Tensor> extra = new LinkedHashMap<>(sd);
        extra.put("item_encoder.layer.0.attention.query.weight", Tensor.of(new long[] {2}, new float[2]));
        Path e = dir.resolve("extra.safetensors");
        Safetensors.write(e, extra, Map.of());
        assertThatThrownBy(() -> Interop.importRun(request("convformer-authors", e, beauty, dir.resolve("e"), Map.of("padding", "zero"))))
                .hasMessageContaining("item_encoder.layer.0.attention.query.weight");
        Map<String, Tensor> missing = new LinkedHashMap<>(sd);
        missing.remove("item_encoder.layer.1.intermediate.dense_2.bias");
        Path m = dir.resolve("missing.safetensors");
        Safetensors.write(m, missing, Map.of());
        assertThatThrownBy(() -> Interop.importRun(request("convformer-authors", m, beauty, dir.resolve("m"), Map.of("padding", "zero"))))
                .hasMessageContaining("item_encoder.layer.1.intermediate.dense_2.bias");
        Map<String, Tensor> shaped = new LinkedHashMap<>(sd);
        shaped.put("LayerNorm.bias", Tensor.of(new long[] {63}, new float[63]));
        Path s = dir.resolve("shaped.safetensors");
        Safetensors.write(s, shaped, Map.of());
        assertThatThrownBy(() -> Interop.importRun(request("convformer-authors", s, beauty, dir.resolve("s"), Map.of("padding", "zero"))))
                .hasMessageContaining("LayerNorm.bias").hasMessageContaining("[63]");
        Path toys = Fixtures.SHARED_FMLP.resolve("Toys_and_Games.txt");
        assertThatThrownBy(() -> Interop.importRun(request("convformer-authors", AUTHORS.resolve("model.pt"), DataSource.fmlp(toys),
                dir.resolve("t"), Map.of("padding", "circular")))).hasMessageContaining("has 12101 items");
    }

    private static void assertClose(Map<String, Float> actual, Map<String, Float> expected, double tol) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((k, v) -> assertThat((double) actual.get(k)).as(k).isCloseTo(v, org.assertj.core.data.Offset.offset(tol)));
    }

    private static DataSource csvSource(Path file) {
        return new DataSource(file.toString(), "csv", ",", true, "user", "item", "time", null, 1, Double.NaN);
    }

    private static Map<String, Float> scores(Recommender r, List<String> history) {
        Map<String, Float> m = new HashMap<>();
        for (Recommender.Item i : r.recommend(history, r.numItems(), false).items()) {
            m.put(i.id(), i.score());
        }
        return m;
    }

    /** {@code d} as a CSV log (user, item, time) with items named i1..in; shuffled: users in reverse order. */
    private static Path csv(Dataset d, Path file, boolean shuffled) throws Exception {
        StringBuilder sb = new StringBuilder("user,item,time\n");
        for (int k = 0; k < d.numUsers(); k++) {
            int u = shuffled ? d.numUsers() - 1 - k : k;
            int[] s = d.sequence(u);
            for (int t = 0; t < s.length; t++) {
                sb.append("u").append(u).append(",i").append(s[t]).append(',').append(1000 + t).append('\n');
            }
        }
        Files.writeString(file, sb.toString());
        return file;
    }
}
