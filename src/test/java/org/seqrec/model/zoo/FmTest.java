package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.model.HistoryBatch;
import org.seqrec.nn.Params;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;

/**
 * FM against its formula written out with plain arrays ({@code w0 + b_u + b_i + <v_u, v_i>}, the unknown user reading
 * {@code w0 + b_i}), and the user id travelling from a request to the model: a trained FM recommends a user's own items
 * when asked by user id, and the same items for every history asked without one.
 */
class FmTest {
    @TempDir Path dir;

    static final int D = 5;
    static final int ITEMS = 9;
    static final int USERS = 4;

    @Test
    void scoresAreTheFactorizationMachineOfUserAndItem() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Fm model = (Fm) new Fm.Spec().build(m, ITEMS, Map.of("hidden", D, "max_len", 4, "num_users", USERS));
            for (String name : model.params().all().keySet()) {
                randomize(model, name, m);
            }
            float[] v = model.params().get("user_embedding.weight").toFloatArray(); // [USERS + 1, D]
            float[] bu = model.params().get("user_bias").toFloatArray();
            float[] e = model.params().get("item_embedding.weight").toFloatArray();
            float[] bi = model.params().get("item_bias").toFloatArray();
            float w0 = model.params().get("global_bias").toFloatArray()[0];
            int[] users = {0, 3, -1, USERS + 2}; // two known users, an ad-hoc history, a user added after training
            int[][] histories = {{1, 2}, {3}, {4, 5, 6}, {7}};
            HistoryBatch batch = new HistoryBatch(users, histories, new int[] {2, 1, 3, 1}, null);
            float[] all = model.scoreAll(batch, m).toFloatArray();
            for (int r = 0; r < users.length; r++) {
                boolean known = users[r] >= 0 && users[r] < USERS;
                for (int i = 1; i <= ITEMS; i++) {
                    double expected = w0 + bi[i];
                    if (known) {
                        int row = users[r] + 1;
                        expected += bu[row];
                        for (int j = 0; j < D; j++) {
                            expected += v[row * D + j] * e[i * D + j];
                        }
                    }
                    assertThat((double) all[r * (ITEMS + 1) + i]).as("user %d, item %d", users[r], i).isCloseTo(expected, Offset.offset(1e-5));
                }
            }
            NDArray cand = m.create(new long[] {2, 9, 4, 1, 1, 5, 3, 8}, new ai.djl.ndarray.types.Shape(4, 2));
            float[] some = model.scoreCandidates(batch, cand, m).toFloatArray();
            long[] c = cand.toLongArray();
            for (int k = 0; k < some.length; k++) {
                assertThat(some[k]).isCloseTo(all[(k / 2) * (ITEMS + 1) + (int) c[k]], Offset.offset(1e-5f));
            }
            // the prefix regime's path (scoreItems on [B] ids) agrees with the full matrix
            Params.Bound p = model.params().bind(m);
            NDArray rep = model.encodeLast(p, batch.paddedInputs(m, 4), model.userRows(users, 0, 4, m), false);
            float[] pairs = model.scoreItems(p, rep, m.create(new long[] {5, 5, 5, 5})).toFloatArray();
            for (int r = 0; r < 4; r++) {
                assertThat(pairs[r]).isCloseTo(all[r * (ITEMS + 1) + 5], Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void aTrainedFmServesAUserByIdAndRecordsItsUsers() throws Exception {
        Progress.setEnabled(false);
        // each user cycles through 4 items of its own (40 items, 60 users): only the user id says which
        Dataset d = Synthetic.repeatedCycles(60, 40, 4, 8, 12, 5);
        Path data = dir.resolve("cycles.txt");
        d.writeFmlp(data);
        Path run = dir.resolve("fm");
        Map<String, Object> params = new LinkedHashMap<>(Map.of("hidden", 16, "lr", 0.05, "epochs", 25, "patience", 25, "batch", 128));
        params.put("num_users", 3); // whatever a user passes, training sets it to the data's user count
        Runs.train(TrainRequest.builder("fm", DataSource.fmlp(data), run).params(params).seed(7).evalBatch(32).build());
        assertThat(Json.read(run.resolve("config.json")).path("params").path("num_users").asInt()).isEqualTo(60);
        assertThat(Files.readAllLines(run.resolve("user_map.tsv"))).hasSize(60);
        try (Recommender r = Recommender.load(run)) {
            int hits = 0;
            for (int u = 0; u < 10; u++) {
                Set<String> own = new HashSet<>();
                for (int item : d.sequence(u)) {
                    own.add(d.itemMap() == null ? Integer.toString(item) : d.itemMap().original(item));
                }
                for (Recommender.Item it : r.recommendForUser(d.originalUserId(u), 4, false).items()) {
                    hits += own.contains(it.id()) ? 1 : 0;
                }
            }
            // 40 of the 40 recommended items would be the users' own at best, 4 by chance (4 of 40 items each)
            assertThat(hits).as("users' own items among their top 4").isGreaterThanOrEqualTo(30);
            // without a user id every history gets the same list (the items' learned biases)
            List<String> history = List.of(r.knownHistory("1").get(0));
            List<Recommender.Item> a = r.recommend(history, 5, false).items();
            List<Recommender.Item> b = r.recommend(List.of(r.knownHistory("2").get(0)), 5, false).items();
            assertThat(a).isEqualTo(b);
            // a known user without a history is still the model's (FM reads no history), not the popularity fallback
            String user = d.originalUserId(4);
            Recommender.Result bare = r.recommendAll(List.of(new Recommender.Query(List.of(), 4, false, user))).get(0);
            assertThat(bare.popularityFallback()).isFalse();
            assertThat(bare.items()).isEqualTo(r.recommendForUser(user, 4, false).items());
            assertThat(r.recommendAll(List.of(new Recommender.Query(List.of(), 4, false, "no-such-user"))).get(0).popularityFallback()).isTrue();
        }
        // over HTTP (micro-batched): a user named by id gets the user's own list; the same history without the id, the biases'
        try (org.seqrec.serve.HttpService s = new org.seqrec.serve.HttpService(run, new org.seqrec.serve.RecommendService.Batching(16, 500, 256),
                new org.seqrec.serve.HttpService.Options("127.0.0.1", 0, 64 * 1024, 8, org.seqrec.serve.HttpService.Limits.defaults(),
                        org.seqrec.serve.HttpService.Admin.off(), false));
                Recommender r = Recommender.load(run)) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            String user = d.originalUserId(3);
            List<String> expected = r.recommendForUser(user, 4, false).items().stream().map(Recommender.Item::id).toList();
            List<String> byGet = ids(client, s, "/v1/users/" + user + "/recommendations?k=4&exclude_seen=false", null);
            List<String> byPost = ids(client, s, "/v1/recommend", "{\"user\": \"" + user + "\", \"k\": 4, \"exclude_seen\": false}");
            List<String> byHistory = ids(client, s, "/v1/recommend", "{\"history\": " + Json.MAPPER.writeValueAsString(r.knownHistory(user))
                    + ", \"k\": 4, \"exclude_seen\": false}");
            assertThat(byGet).isEqualTo(expected).isEqualTo(byPost);
            assertThat(byHistory).isEqualTo(r.recommend(r.knownHistory(user), 4, false).items().stream().map(Recommender.Item::id).toList())
                    .isNotEqualTo(expected);
        }
    }

    private static List<String> ids(java.net.http.HttpClient client, org.seqrec.serve.HttpService s, String path, String body) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + s.port() + path));
        b = body == null ? b.GET() : b.POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        java.net.http.HttpResponse<String> res = client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        List<String> out = new java.util.ArrayList<>();
        Json.MAPPER.readTree(res.body()).path("items").forEach(i -> out.add(i.path("id").asText()));
        return out;
    }

    private static void randomize(Fm model, String name, NDManager m) {
        NDArray w = model.params().get(name);
        Params.write(w, m.randomUniform(-0.7f, 0.7f, w.getShape(), DataType.FLOAT32).toFloatArray(), m);
    }
}
