package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.FeatureTable;
import org.seqrec.data.IdMap;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;

/**
 * The one-tower CTR model on a tiny MovieLens-format fixture (src/test/resources/movielens-tiny: 40 users, 30 movies,
 * users.dat without user 40, movies.dat in ISO-8859-1 with multi-genre movies): the feature files numbered as read by
 * hand, the head computed with plain arrays from those numbers, and a run trained from the raw files that serves by
 * user id without them.
 */
class CtrTest {
    static final Path FIXTURE = Path.of("src/test/resources/movielens-tiny");

    @TempDir Path dir;

    @Test
    void featureFilesAreNumberedInTheOrderValuesFirstAppear() throws Exception {
        FeatureTable users = FeatureTable.read(FIXTURE.resolve("users.dat"), List.of());
        assertThat(users.fields()).extracting(FeatureTable.Field::name).containsExactly("gender", "age", "occupation");
        // user 1: F, 18, occupation 1 (all first seen); user 2: M, 25, 2; user 5: F, 50 (5th age seen), occupation 0 (5th seen)
        assertThat(users.row("1")).containsExactly(1, 1, 1);
        assertThat(users.row("2")).containsExactly(2, 2, 2);
        assertThat(users.row("5")).containsExactly(1, 5, 5);
        assertThat(users.row("40")).as("no profile").containsExactly(0, 0, 0);
        FeatureTable movies = FeatureTable.read(FIXTURE.resolve("movies.dat"), List.of());
        // Drama (movie 1), Comedy (2), Action (3), Children's (4), Film-Noir (10); movie 20: Comedy|Children's|Film-Noir
        assertThat(movies.fields().get(0).width()).isEqualTo(3);
        assertThat(movies.row("20")).containsExactly(2, 4, 5);
        assertThat(movies.row("4")).containsExactly(1, 4, 0);
        FeatureTable titles = FeatureTable.read(FIXTURE.resolve("movies.dat"), List.of("title"));
        assertThat(titles.fields().get(0).values().get(titles.row("7")[0] - 1)).isEqualTo("Amélie (2001)"); // ISO-8859-1
        Path csv = dir.resolve("items.csv");
        Files.writeString(csv, "id,color,tags\na,red,x|y\nb,blue,\nc,red,y\n");
        FeatureTable t = FeatureTable.read(csv, List.of());
        assertThat(t.row("b")).containsExactly(2, 0, 0);
        assertThat(t.row("c")).containsExactly(1, 2, 0);
        Files.writeString(csv, "id,color\na,red\na,blue\n");
        assertThatThrownBy(() -> FeatureTable.read(csv, List.of())).hasMessageContaining(":3: id 'a' is listed twice");
        assertThatThrownBy(() -> FeatureTable.read(FIXTURE.resolve("users.dat"), List.of("height"))).hasMessageContaining("no feature column 'height'");
        Files.writeString(csv, "id,color\na,red\nb,blue,extra\n");
        assertThatThrownBy(() -> FeatureTable.read(csv, List.of())).hasMessageContaining("items.csv:3: 3 columns, the header has 2");
        Files.writeString(csv, "id\na\n");
        assertThatThrownBy(() -> FeatureTable.read(csv, List.of())).hasMessageContaining("needs an id column and at least one field");
        assertThatThrownBy(() -> FeatureTable.read(FIXTURE.resolve("users.dat"), List.of("age", "age"))).hasMessageContaining("named twice");
        Path moviesCsv = dir.resolve("movies.csv"); // MovieLens 20M/32M: genres by default, not the title
        Files.writeString(moviesCsv, "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,Jumanji (1995),Adventure\n");
        assertThat(FeatureTable.read(moviesCsv, List.of()).fields()).extracting(FeatureTable.Field::name).containsExactly("genres");
        Path bom = dir.resolve("bom-users.dat");
        Files.writeString(bom, "\uFEFF1::F::1::10::48067\n2::M::56::16::70072\n");
        assertThat(FeatureTable.read(bom, List.of()).has("1")).as("a byte-order mark is not part of user 1's id").isTrue();
        Path dat = dir.resolve("users.dat");
        Files.writeString(dat, "1::F::1::10::48067\n2::M::56\n");
        assertThatThrownBy(() -> FeatureTable.read(dat, List.of())).hasMessageContaining("users.dat:2: 3 fields separated by '::', expected 5");
    }

    @Test
    void theExtractorIsARegistrySequenceModelWithTheKernelAsked() throws Exception {
        Dataset data = new Dataset("t", List.of("1", "2"), List.of(new int[] {1, 2, 3}, new int[] {2, 3, 4}), 5, IdMap.identity(5), null);
        Ctr.Spec spec = new Ctr.Spec();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int k : new int[] {0, 3}) {
                Map<String, Object> params = new LinkedHashMap<>(spec.defaults());
                params.putAll(Map.of("hidden", 8, "max_len", 6, "extractor_kernel", k));
                Ctr model = (Ctr) spec.build(m, data, spec.dataParams(params, data));
                // ConvFormer's depth-wise kernels [D, 1, K]: K = L (6) for 0, else as asked
                NDArray kernel = model.params().get("blocks.0.mixer.weight");
                assertThat(kernel.getShape().get(2)).as("extractor_kernel %d", k).isEqualTo(k == 0 ? 6 : 3);
            }
            // a kernel of 0 is K = L for the ConvFormer family only: NextItNet keeps its own 3
            Map<String, Object> next = new LinkedHashMap<>(spec.defaults());
            next.putAll(Map.of("hidden", 8, "max_len", 6, "extractor", "nextitnet"));
            Ctr nextItNet = (Ctr) spec.build(m, data, spec.dataParams(next, data));
            assertThat(nextItNet.params().all().entrySet().stream().filter(e -> e.getKey().endsWith("conv1.weight")).findFirst().orElseThrow()
                    .getValue().getShape().get(2)).isEqualTo(3);
            Map<String, Object> badMlp = new LinkedHashMap<>(spec.defaults());
            badMlp.put("mlp", "200;80");
            assertThatThrownBy(() -> spec.build(m, data, badMlp)).hasMessageContaining("mlp must be layer sizes separated by commas");
            // extractor_dropout reaches the extractor: at 0 two training passes agree, at the extractor's own 0.5 they do not
            for (double rate : new double[] {0.0, -1.0}) {
                Map<String, Object> params = new LinkedHashMap<>(spec.defaults());
                params.putAll(Map.of("hidden", 8, "max_len", 6, "extractor_dropout", rate));
                Ctr model = (Ctr) spec.build(m, data, spec.dataParams(params, data));
                NDArray ids = m.create(new long[] {0, 0, 1, 2, 3, 4}, new Shape(1, 6));
                float[] a = model.extractor().encodeLast(model.params().bind(m), ids, true).toFloatArray();
                float[] b = model.extractor().encodeLast(model.params().bind(m), ids, true).toFloatArray();
                assertThat(java.util.Arrays.equals(a, b)).as("dropout %s", rate).isEqualTo(rate == 0.0);
            }
            for (String bad : List.of("fm", "pop", "ctr")) {
                Map<String, Object> params = new LinkedHashMap<>(spec.defaults());
                params.put("extractor", bad);
                assertThatThrownBy(() -> spec.build(m, data, params)).as(bad).hasMessageContaining("is not a sequence model");
            }
            Map<String, Object> params = new LinkedHashMap<>(spec.defaults());
            params.put("user_features", FIXTURE.resolve("users.dat").toString()); // ids 1..39: none is "u1" or "u2"
            Dataset strangers = new Dataset("t", List.of("u1", "u2"), List.of(new int[] {1, 2, 3}, new int[] {2, 3, 4}), 5, IdMap.identity(5), null);
            assertThatThrownBy(() -> spec.dataParams(params, strangers)).hasMessageContaining("lists none of the data's 2 users");
            params.put("user_features", "");
            Path otherItems = dir.resolve("items.csv");
            Files.writeString(otherItems, "id,color\nX1,red\n");
            params.put("item_features", otherItems.toString());
            assertThatThrownBy(() -> spec.dataParams(params, data)).hasMessageContaining("lists none of the data's 5 items");
            params.put("item_features", FIXTURE.resolve("movies.dat").toString());
            Ctr model = (Ctr) spec.build(m, data, spec.dataParams(params, data));
            assertThat(model.itemIndexedWeights()).as("exports reorder the item features with the items").contains("ctr.item_features");
        }
    }

    @Test
    void theHeadIsDiensFinalNetworkOverUserItemHistoryAndInterest() {
        Engine.getInstance().setRandomSeed(9);
        int d = 4;
        int f = 3;
        // users "1", "2", "40" (no profile) with histories of movies; item ids are the movie ids
        Dataset data = new Dataset("t", List.of("1", "2", "40"), List.of(new int[] {1, 4, 3}, new int[] {20, 2, 4, 6}, new int[] {7, 8, 9}),
                30, IdMap.identity(30), null);
        Map<String, Object> params = new LinkedHashMap<>(new Ctr.Spec().defaults());
        params.putAll(Map.of("hidden", d, "max_len", 4, "extractor_kernel", 3, "field_dim", f, "mlp", "5",
                "user_features", FIXTURE.resolve("users.dat").toString(), "item_features", FIXTURE.resolve("movies.dat").toString()));
        Ctr.Spec spec = new Ctr.Spec();
        Map<String, Object> recorded = spec.dataParams(params, data);
        assertThat(recorded).containsEntry("user_fields", "gender:2:1,age:7:1,occupation:5:1").containsEntry("item_fields", "genres:5:3")
                .containsEntry("num_users", 3);
        try (NDManager m = NDManager.newBaseManager()) {
            Ctr model = (Ctr) spec.build(m, data, recorded);
            for (Map.Entry<String, NDArray> e : model.params().all().entrySet()) {
                if (model.params().isTrainable(e.getKey())) {
                    Params.write(e.getValue(), m.randomUniform(-0.6f, 0.6f, e.getValue().getShape(), DataType.FLOAT32).toFloatArray(), m);
                }
            }
            Params.Bound p = model.params().bind(m);
            long[] hist = {0, 1, 4, 3, 20, 2, 4, 6, 0, 0, 0, 7};
            NDArray ids = m.create(hist, new Shape(3, 4));
            int[] users = {0, 2, -1}; // user "1", user "40" (known, no profile), an ad-hoc history
            NDArray rep = model.encodeLast(p, ids, model.userRows(users, 0, 3, m), false);
            long[] targets = {20, 4, 7};
            float[] got = model.scoreItems(p, rep, m.create(targets)).toFloatArray();
            float[] interest = model.extractor().encodeLast(p, ids, false).toFloatArray(); // the extractor's own tests cover it
            float[] items = get(model, model.itemIndexedWeights().get(0));
            // value numbers by hand (see the first test): user "1" = F, 18, 1; user "40" none; movies 20, 4, 7 genres
            int[][] userValues = {{1, 1, 1}, {0, 0, 0}, {0, 0, 0}};
            int[][] genres = {{2, 4, 5}, {1, 4}, {1}}; // 20: Comedy|Children's|Film-Noir; 4: Drama|Children's; 7: Drama
            String[] userFields = {"gender", "age", "occupation"};
            for (int r = 0; r < 3; r++) {
                List<Double> x = new ArrayList<>();
                double[] historySum = new double[d];
                for (int j = 0; j < d; j++) {
                    x.add((double) interest[r * d + j]);
                }
                for (int l = 0; l < 4; l++) {
                    int item = (int) hist[r * 4 + l];
                    for (int j = 0; item > 0 && j < d; j++) {
                        historySum[j] += items[item * d + j];
                    }
                }
                for (double v : historySum) {
                    x.add(v);
                }
                float[] userTable = get(model, "ctr.user_embedding.weight");
                int userRow = users[r] >= 0 ? users[r] + 1 : 0;
                for (int j = 0; j < f; j++) {
                    x.add(userRow == 0 ? 0.0 : userTable[userRow * f + j]);
                }
                for (int k = 0; k < userFields.length; k++) {
                    float[] table = get(model, "ctr.user_field." + userFields[k]);
                    for (int j = 0; j < f; j++) {
                        int v = userValues[r][k];
                        x.add(v == 0 ? 0.0 : table[v * f + j]);
                    }
                }
                int t = (int) targets[r];
                for (int j = 0; j < d; j++) {
                    x.add((double) items[t * d + j]);
                }
                float[] genreTable = get(model, "ctr.item_field.genres");
                for (int j = 0; j < f; j++) {
                    double mean = 0;
                    for (int g : genres[r]) {
                        mean += genreTable[g * f + j];
                    }
                    x.add(mean / genres[r].length);
                }
                for (int j = 0; j < d; j++) {
                    x.add(items[t * d + j] * historySum[j]);
                }
                double[] h = dense(model, "ctr.mlp.0", x.stream().mapToDouble(Double::doubleValue).toArray(), true);
                double y = dense(model, "ctr.out", h, false)[0];
                assertThat((double) got[r]).as("row %d", r).isCloseTo(y, Offset.offset(1e-4));
            }
            // every scoring path agrees: the full matrix in passes, the candidates
            float[] all = model.scoreItemRange(p, rep, 0, 31).toFloatArray();
            for (int r = 0; r < 3; r++) {
                assertThat(all[r * 31 + (int) targets[r]]).isCloseTo(got[r], Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void aRunTrainedFromTheRawFilesServesByUserIdWithoutThem() throws Exception {
        Progress.setEnabled(false);
        Path raw = dir.resolve("raw");
        Files.createDirectories(raw);
        for (String file : List.of("ratings.dat", "users.dat", "movies.dat")) {
            Files.copy(FIXTURE.resolve(file), raw.resolve(file));
        }
        DataSource source = new DataSource(raw.resolve("ratings.dat").toString(), "movielens", null, null, null, null, null, null, 1,
                Double.NaN);
        Map<String, Object> params = new LinkedHashMap<>(Map.of("hidden", 16, "max_len", 8, "lr", 0.01, "epochs", 4, "patience", 4,
                "batch", 64, "extractor", "sasrec"));
        params.put("user_features", raw.resolve("users.dat").toString());
        params.put("item_features", raw.resolve("movies.dat").toString());
        Path run = dir.resolve("ctr");
        Runs.train(TrainRequest.builder("ctr", source, run).params(params).seed(3).evalBatch(16).build());
        var config = Json.read(run.resolve("config.json")).path("params");
        assertThat(config.path("user_fields").asText()).isEqualTo("gender:2:1,age:7:1,occupation:5:1");
        assertThat(config.path("num_users").asInt()).isEqualTo(40);
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("history.jsonl"))) {
            losses.add(Json.MAPPER.readTree(line).path("loss").asDouble());
        }
        assertThat(losses.get(3)).as("losses %s", losses).isLessThan(2 * Math.log(2) - 0.03);
        for (String file : List.of("users.dat", "movies.dat")) {
            Files.delete(raw.resolve(file)); // the features travel in the weights
        }
        try (Recommender r = Recommender.load(run)) {
            List<Recommender.Item> forUser = r.recommendForUser("2", 5, false).items();
            assertThat(forUser).hasSize(5);
            // the same history with and without its user: the user's profile and id change the scores
            List<String> history = r.knownHistory("2");
            assertThat(r.recommend(history, 5, false).items()).isNotEqualTo(forUser);
        }
    }

    private static float[] get(Ctr model, String name) {
        return model.params().get(name).toFloatArray();
    }

    /** {@code W x + b} with W stored [out, in] (and ReLU when asked), in doubles. */
    private static double[] dense(NeuralSeqModel model, String name, double[] x, boolean relu) {
        float[] w = model.params().get(name + ".weight").toFloatArray();
        float[] b = model.params().get(name + ".bias").toFloatArray();
        double[] y = new double[b.length];
        for (int o = 0; o < b.length; o++) {
            double s = b[o];
            for (int i = 0; i < x.length; i++) {
                s += w[o * x.length + i] * x[i];
            }
            y[o] = relu ? Math.max(0, s) : s;
        }
        return y;
    }
}
