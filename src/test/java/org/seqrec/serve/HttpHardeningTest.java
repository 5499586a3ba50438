package org.seqrec.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.eval.Protocol;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.SlowClients;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

/**
 * Issue 16: one request (or a few hundred slow connections, or a web page in the operator's
 * browser) can neither take the server down nor take it over. Small limits and timeouts keep every
 * case here fast; every loop is capped in count and time.
 */
class HttpHardeningTest {
    static final String TOKEN = "hardening-token-0123456789";
    static final String SECRET = "TOP-SECRET-LINE-4242";
    static final long BODY_TIMEOUT_MS = 1500;
    static final long IDLE_TIMEOUT_MS = 1500;
    @TempDir static Path dir;
    static Path runs;
    static Path run;
    static HttpService service;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Progress.setEnabled(false);
        Dataset d = Synthetic.repeatedCycles(40, 30, 4, 6, 14, 5);
        Path data = dir.resolve("cycles.txt");
        d.writeFmlp(data);
        runs = dir.resolve("runs");
        run = runs.resolve("a");
        Runs.train(TrainRequest.builder("convformer", DataSource.fmlp(data), run)
                .params(Map.of("hidden", 16, "max_len", 8, "kernel", 3, "epochs", 1, "batch", 64)).seed(1).evaluate(false)
                .evalBatch(64).build());
        // things the reload endpoint must not reveal or load: a file and a run-like directory outside the root,
        // a symbolic link inside the root that leads out of it, and a broken run inside it
        Fixtures.write(dir, "secret.txt", SECRET + "\n");
        Fixtures.write(dir, "outside/config.json", "{\"model\": \"" + SECRET + "\"}\n");
        Files.createSymbolicLink(runs.resolve("escape"), dir.resolve("outside"));
        Fixtures.write(runs, "broken/config.json", SECRET + " is not JSON\n");
        HttpService.Limits limits = new HttpService.Limits(20, 100, 500, 2000, 5000, IDLE_TIMEOUT_MS, BODY_TIMEOUT_MS, 1000, 32);
        service = new HttpService(run, new RecommendService.Batching(16, 0, 256),
                new HttpService.Options("127.0.0.1", 0, 256 * 1024, 8, limits, new HttpService.Admin(TOKEN, null, List.of())));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(body);
        }

        String error() throws IOException {
            return json().path("error").asText();
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + service.port() + path;
    }

    static Answer send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, String> h = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(), String.join(",", v)));
        return new Answer(r.statusCode(), h, r.body());
    }

    static Answer post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A reload with the given headers (name, value, ...). */
    static Answer reload(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url("/v1/reload"))).POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    static Answer goodReload(String run) throws Exception {
        return reload(runBody(run), "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
    }

    static String runBody(String run) {
        return Json.object().put("run", run).toString();
    }

    /** A raw HTTP/1.1 exchange (for headers java.net.http will not send, such as a foreign Host). */
    static Answer raw(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", service.port()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            return new Answer(status, Map.of(), text.substring(text.indexOf("\r\n\r\n") + 4));
        }
    }

    static double forwardPasses() throws Exception {
        String metrics = send(HttpRequest.newBuilder(URI.create(url("/metrics")))).body();
        return metrics.lines().filter(l -> l.startsWith("seqrec_forward_batch_size_count")).mapToDouble(
                l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static String batchOf(int copies, int k) {
        StringBuilder sb = new StringBuilder("{\"requests\": [");
        for (int i = 0; i < copies; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"history\": [\"1\", \"2\"], \"k\": ").append(k).append('}');
        }
        return sb.append("]}").toString();
    }

    // ---- finding 1: batch amplification

    @Test
    void aBatchOverTheWorkBudgetGets413BeforeAnyScoring() throws Exception {
        double before = forwardPasses();
        Answer a = post("/v1/recommend/batch", batchOf(50, 20)); // 1,000 items in all, over the 500 allowed
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.error()).contains("1000 items").contains("500");
        Answer many = post("/v1/recommend/batch", batchOf(101, 1)); // over 100 requests
        assertThat(many.status()).isEqualTo(413);
        Answer bigK = post("/v1/recommend", "{\"history\": [\"1\"], \"k\": 25}"); // over max k 20 (30 items)
        assertThat(bigK.status()).isEqualTo(413);
        assertThat(bigK.error()).contains("25").contains("20");
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < 2100; i++) {
            ids.append(i == 0 ? "" : ",").append(1 + i % 30);
        }
        assertThat(post("/v1/recommend", "{\"history\": [" + ids + "]}").status()).isEqualTo(413);
        assertThat(forwardPasses()).as("nothing was scored").isEqualTo(before);
        // within budget: answered
        Answer ok = post("/v1/recommend/batch", batchOf(25, 20));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("results")).hasSize(25);
    }

    @Test
    void aBatchIsAbandonedBetweenPassesOnceToldToStop() {
        List<Recommender.Query> qs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            qs.add(new Recommender.Query(List.of("1", "2"), 3, true));
        }
        int[] asked = {0};
        assertThatThrownBy(() -> service.core().recommendAll(qs, 2, () -> ++asked[0] > 2 ? "the client closed the connection" : null))
                .isInstanceOf(RecommendService.Abandoned.class).hasMessageContaining("after 4 of 10");
    }

    // ---- finding 2: slow and idle clients

    @Test
    void twoHundredSlowClientsNeitherBlockHealthNorStayConnected() throws Exception {
        String head = "POST /v1/recommend HTTP/1.1\r\nHost: 127.0.0.1:" + service.port() + "\r\nContent-Type: application/json\r\n";
        List<Socket> trickle = new ArrayList<>();
        List<Socket> all = new ArrayList<>();
        List<Long> opened = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", service.port()), 5000);
                OutputStream out = s.getOutputStream();
                switch (i % 4) {
                    case 0 -> { // headers, then a body one byte at a time
                        out.write((head + "Content-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                        trickle.add(s);
                    }
                    case 1 -> out.write((head + "Content-Length: 30\r\n\r\n").getBytes(StandardCharsets.US_ASCII)); // no body
                    case 2 -> out.write(head.getBytes(StandardCharsets.US_ASCII)); // headers never finished
                    default -> { } // nothing at all
                }
                out.flush();
                all.add(s);
                opened.add(System.nanoTime());
            }
            SlowClients.trickle(trickle, System.nanoTime() + 6_000_000_000L); // one byte per slow sender every 100 ms, at most 6 s
            HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < 8; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> h = fresh.send(HttpRequest.newBuilder(URI.create(url("/health"))).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(h.statusCode()).isEqualTo(200);
                assertThat(ms).as("health with 200 slow clients connected, try %d", i).isLessThan(1000);
                assertThat(post("/v1/recommend", "{\"history\": [\"1\"], \"k\": 2}").status()).as("a prompt request").isIn(200, 503);
                Thread.sleep(150);
            }
            // every slow connection is closed by the server (answered 408/503/413 or simply closed) within the
            // timeouts, plus slack for a loaded machine
            long bound = BODY_TIMEOUT_MS + IDLE_TIMEOUT_MS + 4000;
            List<String> statuses = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                Socket s = all.get(i);
                long left = bound - (System.nanoTime() - opened.get(i)) / 1_000_000;
                s.setSoTimeout((int) Math.max(1, left));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                try (InputStream in = s.getInputStream()) {
                    in.transferTo(got);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("connection " + i + " (kind " + i % 4 + ") still open after " + bound + " ms");
                } catch (IOException e) {
                    // reset by the server: closed too
                }
                String text = got.toString(StandardCharsets.US_ASCII);
                statuses.add(text.length() >= 12 ? text.substring(9, 12) : "closed");
            }
            assertThat(statuses).doesNotContain("200", "500");
            assertThat(statuses).contains("408"); // the slow bodies past the deadline
        } finally {
            for (Socket s : all) {
                s.close();
            }
        }
        assertThat(get200("/health")).isTrue();
    }

    static boolean get200(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path)))).status() == 200;
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413AtOnceWithoutABody() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", service.port()), 5000);
            s.setSoTimeout(5000);
            long t0 = System.nanoTime();
            s.getOutputStream().write(("POST /v1/recommend HTTP/1.1\r\nHost: 127.0.0.1:" + service.port()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // closed after the answer
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(text).startsWith("HTTP/1.1 413").contains("over the limit");
            assertThat(ms).isLessThan(IDLE_TIMEOUT_MS);
        }
    }

    // ---- finding 3: reload

    @Test
    void reloadIsOffUnlessATokenIsConfigured() throws Exception {
        try (HttpService off = new HttpService(run, RecommendService.Batching.off(), new HttpService.Options("127.0.0.1", 0, 4096, 8))) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + off.port() + "/v1/reload"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(runBody(run.toString()))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("--admin-token-file");
        }
    }

    @Test
    void reloadNeedsTheTokenJsonAndThisServersHostAndOrigin() throws Exception {
        String body = runBody(run.toString());
        Answer none = reload(body, "Content-Type", "application/json");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers().get("www-authenticate")).startsWith("Bearer");
        assertThat(reload(body, "Content-Type", "application/json", "Authorization", "Bearer wrong-token-0123456789").status())
                .isEqualTo(401);
        assertThat(reload(body, "Content-Type", "application/json", "Authorization", TOKEN).status()).isEqualTo(401); // no scheme
        // a web page elsewhere, even with the token
        assertThat(reload(body, "Content-Type", "application/json", "Authorization", "Bearer " + TOKEN, "Origin", "http://evil.example")
                .status()).isEqualTo(403);
        assertThat(reload(body, "Content-Type", "application/json", "Authorization", "Bearer " + TOKEN, "Origin", "null").status())
                .isEqualTo(403);
        // a simple cross-site form post
        assertThat(reload(body, "Content-Type", "text/plain", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(415);
        // DNS rebinding: the right port under a foreign name
        Answer rebind = raw("POST /v1/reload HTTP/1.1\r\nHost: evil.example:" + service.port() + "\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(rebind.status()).isEqualTo(403);
        // this server's own origin and name: fine
        Answer own = reload(body, "Content-Type", "application/json; charset=utf-8", "Authorization", "Bearer " + TOKEN, "Origin",
                "http://localhost:" + service.port());
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(own.json().path("model").asText()).isEqualTo("convformer");
        Answer local = raw("POST /v1/reload HTTP/1.1\r\nHost: localhost:" + service.port() + "\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(local.status()).isEqualTo(200);
    }

    @Test
    void reloadLoadsOnlyRunsUnderTheRootAndTellsNothingOfOtherFiles() throws Exception {
        Answer file = goodReload(dir.resolve("secret.txt").toString());
        Answer missing = goodReload(dir.resolve("no-such-file").toString());
        Answer dotdot = goodReload(runs.resolve("../secret.txt").toString());
        Answer link = goodReload(runs.resolve("escape").toString());
        Answer etc = goodReload("/etc/passwd");
        for (Answer a : List.of(file, missing, dotdot, link, etc)) {
            assertThat(a.status()).as(a.body()).isEqualTo(403);
            assertThat(a.body()).doesNotContain(SECRET).doesNotContain("root:").doesNotContain("exist").contains("only runs under");
        }
        // an outside path that exists and one that does not get the same kind of answer
        assertThat(file.error().replace(dir.resolve("secret.txt").toString(), "X"))
                .isEqualTo(missing.error().replace(dir.resolve("no-such-file").toString(), "X"));
        Answer broken = goodReload(runs.resolve("broken").toString());
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.body()).doesNotContain(SECRET).contains("not a valid run under the runs root");
        Answer absent = goodReload(runs.resolve("absent").toString());
        assertThat(absent.status()).isEqualTo(400);
        assertThat(absent.error()).isEqualTo(broken.error().replace("broken", "absent"));
        Answer good = goodReload(run.toString());
        assertThat(good.status()).as(good.body()).isEqualTo(200);
        assertThat(good.json().path("run").asText()).isEqualTo(run.toRealPath().toString());
        assertThat(good.json().path("model").asText()).isEqualTo("convformer");
    }

    @Test
    void theTokenComesFromAFileOrTheEnvironmentAndMustBeLongEnough() {
        Path shortToken = Fixtures.write(dir, "short-token", "abc\n");
        Fixtures.CliResult tooShort = Fixtures.cli("serve", "--run", run.toString(), "--admin-token-file", shortToken.toString());
        assertThat(tooShort.exitCode()).isEqualTo(2);
        assertThat(tooShort.err()).contains("at least 16").doesNotContain("abc");
        Fixtures.CliResult missing = Fixtures.cli("serve", "--run", run.toString(), "--admin-token-file", dir.resolve("none").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("admin token file not found");
        Fixtures.CliResult noVar = Fixtures.cli("serve", "--run", run.toString(), "--admin-token-env", "SEQREC_NO_SUCH_VARIABLE_42");
        assertThat(noVar.exitCode()).isEqualTo(2);
        assertThat(noVar.err()).contains("SEQREC_NO_SUCH_VARIABLE_42");
        assertThat(new HttpService.Admin(TOKEN, null, List.of()).toString()).doesNotContain(TOKEN);
    }

    @Test
    void aReloadBodyHasOnlyRun() throws Exception {
        Answer extra = reload("{\"run\": \"" + run + "\", \"force\": true}", "Authorization", "Bearer " + TOKEN, "Content-Type",
                "application/json");
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.error()).contains("\"force\"");
    }

    // ---- finding 5: the smaller ones

    @Test
    void aWrongMethodIs405WithAllow() throws Exception {
        Answer get = send(HttpRequest.newBuilder(URI.create(url("/v1/recommend"))));
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.headers().get("allow")).isEqualTo("POST");
        assertThat(get.error()).contains("GET");
        Answer postHealth = post("/health", "{}");
        assertThat(postHealth.status()).isEqualTo(405);
        assertThat(postHealth.headers().get("allow")).isEqualTo("GET");
        Answer delete = send(HttpRequest.newBuilder(URI.create(url("/v1/reload"))).DELETE());
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.headers().get("allow")).isEqualTo("POST");
        assertThat(send(HttpRequest.newBuilder(URI.create(url("/no-such-path")))).status()).isEqualTo(404);
    }

    @Test
    void duplicateKeysAndUnknownFieldsAre400() throws Exception {
        Answer dup = post("/v1/recommend", "{\"history\": [\"1\"], \"k\": 2, \"k\": 3}");
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.error()).containsIgnoringCase("duplicate").contains("k");
        Answer unknown = post("/v1/recommend", "{\"history\": [\"1\"], \"exclude\": [\"2\"]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.error()).contains("\"exclude\"").contains("history, k, exclude_seen");
        Answer inBatch = post("/v1/recommend/batch", "{\"requests\": [{\"history\": [\"1\"]}, {\"history\": [], \"kk\": 3}]}");
        assertThat(inBatch.status()).isEqualTo(400);
        assertThat(inBatch.error()).contains("requests[1]").contains("\"kk\"");
        Answer top = post("/v1/recommend/batch", "{\"requests\": [], \"timeout\": 3}");
        assertThat(top.status()).isEqualTo(400);
        assertThat(top.error()).contains("\"timeout\"").contains("requests");
        Answer dupBatch = post("/v1/recommend/batch", "{\"requests\": [{\"history\": [\"1\"], \"history\": [\"2\"]}]}");
        assertThat(dupBatch.status()).isEqualTo(400);
    }

    @Test
    void aNonFiniteScoreIsSentAsNull() {
        Recommender.Result r = new Recommender.Result(List.of(new Recommender.Item("7", Float.NaN),
                new Recommender.Item("8", Float.POSITIVE_INFINITY), new Recommender.Item("9", 1.5f)), List.of(), 1, false);
        JsonNode out = HttpService.result(new Recommender.Query(List.of("1"), 3, true), r);
        assertThat(out.toString()).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(out.path("items").get(0).path("score").isNull()).isTrue();
        assertThat(out.path("items").get(1).path("score").isNull()).isTrue();
        assertThat(out.path("items").get(2).path("score").asDouble()).isEqualTo(1.5);
    }

    @Test
    void anInvalidAddressOrATakenPortIsAUserError() throws Exception {
        HttpService.Options bad = new HttpService.Options("999.1.1.1", 0, 4096, 8);
        assertThatThrownBy(() -> new HttpService(run, RecommendService.Batching.off(), bad)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("999.1.1.1").hasMessageContaining("not a valid").hasMessageNotContaining("in use");
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Fixtures.CliResult r = Fixtures.cli("serve", "--run", run.toString(), "--port", Integer.toString(port));
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("seqrec: error: port " + port + " on 127.0.0.1 is already in use")
                    .doesNotContain("\tat ");
        }
    }
}
