package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.serve.HttpService;
import org.seqrec.serve.RecommendService;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.Json;

/**
 * One set of defaults for an own log (issue 17): seen items are excluded by the Java API, {@code recommend},
 * HTTP and {@code score} alike; {@code train} evaluates with full ranking unless told otherwise; {@code score}
 * scores every user of the file (no k-core filter unless asked for).
 */
class DefaultsAgreeTest {
    @TempDir
    static Path dir;
    static Path log;
    static Path run;

    /** A click log: users u1..u6 each walk 8 of the items i1..i12 in order; u7 has only two clicks (a k-core filter drops it). */
    @BeforeAll
    static void train() throws Exception {
        StringBuilder csv = new StringBuilder("user_id,item_id,timestamp\n");
        for (int u = 1; u <= 6; u++) {
            for (int t = 0; t < 8; t++) {
                csv.append("u").append(u).append(",i").append(1 + (u + t) % 12).append(",").append(1000 + t).append('\n');
            }
        }
        csv.append("u7,i1,5000\nu7,i2,5001\n");
        log = dir.resolve("clicks.csv");
        Files.writeString(log, csv.toString());
        run = dir.resolve("pop");
        Fixtures.CliResult r = Fixtures.cli("train", "--model", "pop", "--data", log.toString(), "--kcore", "1", "--out", run.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @Test
    void trainOnAnOwnLogEvaluatesWithFullRanking() {
        assertThat(run.resolve("results-full.json")).exists();
        assertThat(run.resolve("results-sampled.json")).doesNotExist();
    }

    @Test
    void seenItemsAreExcludedEverywhereByDefault() throws Exception {
        List<String> history = List.of("i6", "i7", "i8"); // the most clicked items: pop would put them first
        List<String> api;
        try (Recommender r = Recommender.load(run)) {
            api = r.recommend(history, 5).items().stream().map(Recommender.Item::id).toList();
        }
        Fixtures.CliResult cli = Fixtures.cli("recommend", "--run", run.toString(), "--history", String.join(",", history), "--k", "5");
        List<String> fromCli = cli.out().lines().skip(1).map(l -> l.split("\t")[1]).toList();
        List<String> http;
        try (HttpService s = new HttpService(run, RecommendService.Batching.off(), new HttpService.Options("127.0.0.1", 0, 4096, 8))) {
            HttpResponse<String> a = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/v1/recommend")).POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"i6\", \"i7\", \"i8\"], \"k\": 5}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            http = new ArrayList<>();
            for (JsonNode it : Json.MAPPER.readTree(a.body()).path("items")) {
                http.add(it.path("id").asText());
            }
        }
        assertThat(api).hasSize(5).doesNotContainAnyElementsOf(history);
        assertThat(fromCli).isEqualTo(api);
        assertThat(http).isEqualTo(api);
        // and asked for, seen items come back through each surface
        try (Recommender r = Recommender.load(run)) {
            List<String> all = r.recommend(history, 12, false).items().stream().map(Recommender.Item::id).toList();
            assertThat(all).containsAll(history);
        }
        Fixtures.CliResult withSeen = Fixtures.cli("recommend", "--run", run.toString(), "--history", String.join(",", history), "--k",
                "12", "--no-exclude-seen");
        assertThat(withSeen.out().lines().skip(1).map(l -> l.split("\t")[1]).toList()).containsAll(history);
    }

    @Test
    void scoreAccountsForEveryUserOfTheFile() throws Exception {
        Path out = dir.resolve("recs.csv");
        Fixtures.CliResult r = Fixtures.cli("score", "--run", run.toString(), "--data", log.toString(), "--k", "3", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = Files.readAllLines(out);
        java.util.Set<String> users = rows.stream().skip(1).map(l -> l.split(",")[0]).collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(users).containsExactly("u1", "u2", "u3", "u4", "u5", "u6", "u7");
        // u7's two clicks are excluded from its own list
        assertThat(rows.stream().filter(l -> l.startsWith("u7,")).map(l -> l.split(",")[2])).hasSize(3).doesNotContain("i1", "i2");
        // with the filter asked for, u7 is left out, as the user asked
        Path filtered = dir.resolve("recs3.csv");
        assertThat(Fixtures.cli("score", "--run", run.toString(), "--data", log.toString(), "--k", "3", "--kcore", "3", "--out",
                filtered.toString()).exitCode()).isZero();
        assertThat(Files.readAllLines(filtered)).noneMatch(l -> l.startsWith("u7,"));
    }
}
