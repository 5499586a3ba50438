package org.seqrec.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.run.HistoryStore;
import org.seqrec.run.RunDir;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;

/**
 * Recommendations by user id (issue 17): a run keeps every user's history; the Java API, the CLI and HTTP
 * recommend from it exactly as from the same history sent by the client; appended events are read by the
 * next recommendation and survive a restart. Expected histories are read from the data file's text, not
 * from the store.
 */
class UserHistoryTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path run;
    static Path bare;
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void train() {
        Progress.setEnabled(false);
        data = dir.resolve("cycles.txt");
        Synthetic.repeatedCycles(30, 25, 4, 6, 12, 3).writeFmlp(data);
        run = dir.resolve("run");
        Runs.train(TrainRequest.builder("convformer", DataSource.fmlp(data), run)
                .params(Map.of("hidden", 16, "max_len", 8, "kernel", 3, "epochs", 1, "batch", 64)).evaluate(false).build());
        bare = dir.resolve("bare");
        Runs.train(TrainRequest.builder("pop", DataSource.fmlp(data), bare).evaluate(false).keepHistories(false).build());
    }

    /** User {@code user}'s items as the data file's line says (FMLP: "user item item ..."). */
    static List<String> fileHistory(String user) throws Exception {
        for (String line : Files.readAllLines(data)) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(user)) {
                return List.of(f).subList(1, f.length);
            }
        }
        throw new AssertionError("no user " + user);
    }

    static List<String> ids(Recommender.Result r) {
        return r.items().stream().map(Recommender.Item::id).toList();
    }

    @Test
    void theRunKeepsEveryUsersWholeHistoryAndRecommendsFromIt() throws Exception {
        assertThat(new RunDir(run).histories()).exists();
        try (Recommender r = Recommender.load(run)) {
            assertThat(r.hasUserHistories()).isTrue();
            for (String user : List.of("1", "7", "30")) {
                assertThat(r.history(user)).contains(fileHistory(user));
                assertThat(ids(r.recommendForUser(user, 5, true))).isEqualTo(ids(r.recommend(fileHistory(user), 5, true)));
                assertThat(ids(r.recommendForUser(user, 5, false))).isEqualTo(ids(r.recommend(fileHistory(user), 5, false)));
            }
            assertThat(r.history("no-such-user")).isEmpty();
            assertThatThrownBy(() -> r.recommendForUser("no-such-user", 5, true)).isInstanceOf(Recommender.UnknownUserException.class)
                    .hasMessageContaining("no-such-user");
        }
        try (Recommender r = Recommender.load(bare)) {
            assertThat(r.hasUserHistories()).isFalse();
            assertThatThrownBy(() -> r.recommendForUser("1", 5, true)).hasMessageContaining("keeps no user histories");
        }
    }

    @Test
    void appendedEventsChangeTheNextRecommendationAndSurviveAReopen() throws Exception {
        String user = "12";
        String top;
        try (Recommender r = Recommender.load(run)) {
            top = r.recommendForUser(user, 5, true).items().get(0).id();
            r.append(List.of(new HistoryStore.Event(user, top), new HistoryStore.Event("new-user", "3")));
            List<String> expected = new ArrayList<>(fileHistory(user));
            expected.add(top);
            assertThat(r.history(user)).contains(expected);
            // the appended item is now seen: excluded, so the list changed
            assertThat(ids(r.recommendForUser(user, 5, true))).doesNotContain(top).isEqualTo(ids(r.recommend(expected, 5, true)));
            assertThat(r.history("new-user")).contains(List.of("3"));
        }
        try (Recommender r = Recommender.load(run)) { // a restart: the events are on disk
            assertThat(r.history(user).orElseThrow()).endsWith(top).hasSize(fileHistory(user).size() + 1);
            assertThat(r.history("new-user")).contains(List.of("3"));
        }
    }

    @Test
    void cliRecommendsByUserAsByTheSameHistory() throws Exception {
        String user = "9";
        Fixtures.CliResult byUser = Fixtures.cli("recommend", "--run", run.toString(), "--user", user, "--k", "4");
        Fixtures.CliResult byHistory = Fixtures.cli("recommend", "--run", run.toString(), "--history", String.join(",", fileHistory(user)),
                "--k", "4");
        assertThat(byUser.exitCode()).isZero();
        assertThat(byUser.out()).isEqualTo(byHistory.out()).contains("rank\titem\tscore");
        assertThat(Fixtures.cli("recommend", "--run", run.toString(), "--user", "nobody").exitCode()).isEqualTo(2);
        assertThat(Fixtures.cli("recommend", "--run", run.toString()).exitCode()).isEqualTo(2);
    }

    record Answer(int status, JsonNode body) {}

    static Answer send(HttpService s, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
        b = body == null ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), Json.MAPPER.readTree(r.body()));
    }

    static List<String> ids(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("items").forEach(i -> out.add(i.path("id").asText()));
        return out;
    }

    static HttpService serve(Path run, boolean events) {
        return new HttpService(run, RecommendService.Batching.off(), new HttpService.Options("127.0.0.1", 0, 64 * 1024, 8,
                HttpService.Limits.defaults(), HttpService.Admin.off(), events));
    }

    @Test
    void httpRecommendsByUserIdAsByTheSameHistory() throws Exception {
        try (HttpService s = serve(run, false)) {
            String user = "5";
            String history = Json.MAPPER.writeValueAsString(fileHistory(user));
            Answer byHistory = send(s, "POST", "/v1/recommend", "{\"history\": " + history + ", \"k\": 6}");
            Answer byUser = send(s, "POST", "/v1/recommend", "{\"user\": \"" + user + "\", \"k\": 6}");
            Answer byGet = send(s, "GET", "/v1/users/" + user + "/recommendations?k=6", null);
            assertThat(byHistory.status()).isEqualTo(200);
            assertThat(byUser.status()).isEqualTo(200);
            assertThat(byGet.status()).isEqualTo(200);
            assertThat(ids(byUser.body())).hasSize(6).isEqualTo(ids(byHistory.body())).isEqualTo(ids(byGet.body()));
            // seen items are excluded by default, as with a history
            assertThat(ids(byUser.body())).doesNotContainAnyElementsOf(fileHistory(user));
            Answer batch = send(s, "POST", "/v1/recommend/batch", "{\"requests\": [{\"user\": 5, \"k\": 6}, {\"history\": " + history
                    + ", \"k\": 6}]}");
            assertThat(ids(batch.body().path("results").get(0))).isEqualTo(ids(batch.body().path("results").get(1)));

            assertThat(send(s, "POST", "/v1/recommend", "{\"user\": \"nobody\", \"k\": 3}").status()).isEqualTo(404);
            assertThat(send(s, "GET", "/v1/users/nobody/recommendations", null).status()).isEqualTo(404);
            Answer both = send(s, "POST", "/v1/recommend", "{\"user\": \"5\", \"history\": [], \"k\": 3}");
            assertThat(both.status()).isEqualTo(400);
            assertThat(both.body().path("error").asText()).contains("not both");
            assertThat(send(s, "POST", "/v1/recommend", "{\"k\": 3}").status()).isEqualTo(400);
            assertThat(send(s, "GET", "/v1/users/5/recommendations?k=x", null).status()).isEqualTo(400);
            assertThat(send(s, "GET", "/v1/users/5/recommendations?kk=3", null).status()).isEqualTo(400);
            // events are off unless asked for
            assertThat(send(s, "POST", "/v1/events", "{\"events\": [{\"user\": \"5\", \"item\": \"1\"}]}").status()).isEqualTo(404);
        }
        try (HttpService s = serve(bare, true)) {
            assertThat(send(s, "POST", "/v1/recommend", "{\"user\": \"5\", \"k\": 3}").status()).isEqualTo(404);
            assertThat(send(s, "POST", "/v1/events", "{\"events\": [{\"user\": \"5\", \"item\": \"1\"}]}").status()).isEqualTo(409);
        }
    }

    @Test
    void httpEventsAreReadByTheNextRecommendationAndSurviveARestart() throws Exception {
        String user = "20";
        String top;
        try (HttpService s = serve(run, true)) {
            top = ids(send(s, "GET", "/v1/users/" + user + "/recommendations?k=4", null).body()).get(0);
            Answer ok = send(s, "POST", "/v1/events", "{\"events\": [{\"user\": \"" + user + "\", \"item\": \"" + top + "\"}]}");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body().path("appended").asInt()).isEqualTo(1);
            assertThat(ids(send(s, "GET", "/v1/users/" + user + "/recommendations?k=4", null).body())).doesNotContain(top);
            // bad events change nothing (all or none)
            assertThat(send(s, "POST", "/v1/events", "{\"events\": [{\"user\": \"" + user + "\", \"item\": \"9\"}, {\"user\": \"\"}]}")
                    .status()).isEqualTo(400);
            assertThat(send(s, "POST", "/v1/events", "{\"events\": []}").status()).isEqualTo(400);
            assertThat(send(s, "POST", "/v1/events", "{\"events\": [{\"user\": \"1\", \"item\": \"2\", \"time\": 3}]}").status())
                    .isEqualTo(400);
        }
        try (HttpService s = serve(run, true)) { // a restart
            List<String> expected = new ArrayList<>(fileHistory(user));
            expected.add(top);
            Answer byUser = send(s, "GET", "/v1/users/" + user + "/recommendations?k=4", null);
            Answer byHistory = send(s, "POST", "/v1/recommend", "{\"history\": " + Json.MAPPER.writeValueAsString(expected) + ", \"k\": 4}");
            assertThat(ids(byUser.body())).isEqualTo(ids(byHistory.body())).doesNotContain(top);
        }
        try (Recommender r = Recommender.load(run)) {
            assertThat(r.history(user).orElseThrow()).hasSize(fileHistory(user).size() + 1).endsWith(top);
        }
    }

    @Test
    void aLongKeptHistoryIsReadUpToTheServersHistoryLimit() throws Exception {
        HttpService.Limits d = HttpService.Limits.defaults();
        HttpService.Limits three = new HttpService.Limits(d.maxK(), d.maxBatchRequests(), d.maxBatchItems(), 3, d.batchTimeoutMillis(),
                d.idleTimeoutMillis(), d.bodyTimeoutMillis(), d.maxConnections(), d.maxThreads());
        String user = "25";
        List<String> all = fileHistory(user);
        assertThat(all.size()).isGreaterThan(3);
        try (HttpService s = new HttpService(run, RecommendService.Batching.off(), new HttpService.Options("127.0.0.1", 0, 64 * 1024, 8,
                three, HttpService.Admin.off(), false))) {
            Answer byUser = send(s, "POST", "/v1/recommend", "{\"user\": \"" + user + "\", \"k\": 4}");
            assertThat(byUser.status()).isEqualTo(200); // not a 413: the client sent no history
            Answer lastThree = send(s, "POST", "/v1/recommend", "{\"history\": "
                    + Json.MAPPER.writeValueAsString(all.subList(all.size() - 3, all.size())) + ", \"k\": 4}");
            assertThat(ids(byUser.body())).isEqualTo(ids(lastThree.body()));
            assertThat(send(s, "POST", "/v1/recommend", "{\"history\": " + Json.MAPPER.writeValueAsString(all) + ", \"k\": 4}")
                    .status()).isEqualTo(413);
        }
    }
}
