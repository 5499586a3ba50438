package org.seqrec.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.seqrec.data.Dataset;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqrec loadtest}: a bounded load generator for {@code seqrec serve}. */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = "Send a fixed number of POST /v1/recommend requests (histories of a data file's users, cycled) from"
                + " N concurrent clients, each waiting for its answer before the next; report throughput and latency percentiles."
                + " Errors are answers other than 200 and failed connections or timeouts; exit 1 if any, and if none succeeded"
                + " nothing is reported nor appended to --json.")
final class LoadTestCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080", description = "Service base URL. Default: ${DEFAULT-VALUE}.")
    String url;

    @Mixin DataOptions data;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1", description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "2000", description = "Measured requests in all. Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "200", description = "Requests sent first and not measured. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "k of every request. Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "30",
            description = "A request not answered within this many seconds counts as an error. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Option(names = "--by-user", description = "Name each data-file user by id ({\"user\": ID}: the run's kept history) instead of"
            + " sending the history.")
    boolean byUser;

    @Option(names = "--label", paramLabel = "TEXT", defaultValue = "", description = "A name for this configuration in the JSON output.")
    String label;

    @Option(names = "--json", paramLabel = "FILE", description = "Append the result as one JSON line to FILE.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (concurrency < 1 || requests < 1 || warmup < 0 || timeoutSeconds < 1) {
            throw new SeqrecException("--concurrency, --requests and --timeout-s must be positive, --warmup not negative");
        }
        URI target = target(url);
        Dataset d = data.source().load();
        List<String> bodies = new ArrayList<>(d.numUsers());
        for (int u = 0; u < d.numUsers(); u++) {
            ObjectNode body = Json.object();
            if (byUser) {
                body.put("user", d.originalUserId(u));
            } else {
                ArrayNode h = body.putArray("history");
                for (int item : d.sequence(u)) {
                    h.add(d.itemMap().original(item));
                }
            }
            body.put("k", k);
            body.put("exclude_seen", true);
            bodies.add(body.toString());
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        run(client, target, bodies, warmup, new long[warmup], new Failures()); // connections opened, code paths warm
        long[] latencies = new long[requests];
        Failures failures = new Failures();
        long t0 = System.nanoTime();
        int errors = run(client, target, bodies, requests, latencies, failures);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (errors == requests) { // nothing to report: no throughput, no latency, no JSON line
            throw new SeqrecException("no request to " + target + " succeeded (" + errors + " errors; the first: " + failures.first
                    + ")", null, 1);
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        ObjectNode out = Json.object();
        out.put("label", label);
        out.put("url", url);
        out.put("concurrency", concurrency);
        out.put("requests", requests);
        out.put("errors", errors);
        out.put("seconds", seconds);
        out.put("throughput_rps", requests / seconds);
        out.put("p50_ms", percentile(sorted, 0.50));
        out.put("p90_ms", percentile(sorted, 0.90));
        out.put("p99_ms", percentile(sorted, 0.99));
        out.put("max_ms", sorted[sorted.length - 1] / 1e6);
        System.out.printf("%s concurrency %d: %d requests in %.2f s, %.0f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms,"
                + " %d errors%n", label, concurrency, requests, seconds, requests / seconds, percentile(sorted, 0.5),
                percentile(sorted, 0.9), percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6, errors);
        if (json != null) {
            Files.writeString(json, out + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return errors == 0 ? 0 : 1;
    }

    /** Nearest-rank percentile of sorted nanosecond latencies, in milliseconds. */
    static double percentile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** {@code BASE/v1/recommend}, where BASE must be an http or https URL with a host. */
    static URI target(String url) {
        URI base;
        try {
            base = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new SeqrecException("--url " + url + " is not a URL: " + e.getReason());
        }
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null || base.getRawQuery() != null
                || base.getRawFragment() != null) {
            throw new SeqrecException("--url must be an http:// or https:// URL with a host (and no query), such as"
                    + " http://127.0.0.1:8080; got " + url);
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        return URI.create(scheme + "://" + base.getRawAuthority() + path + "/v1/recommend");
    }

    /** The first failure seen, to say why nothing worked. */
    private static final class Failures {
        volatile String first;

        void add(String why) {
            if (first == null) {
                first = why;
            }
        }
    }

    /**
     * Sends {@code total} requests from the clients; records each latency; returns the count of
     * failures: answers other than 200 and transport errors (refused connections, timeouts).
     */
    private int run(HttpClient client, URI target, List<String> bodies, int total, long[] latencies, Failures failures)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        Thread[] clients = new Thread[concurrency];
        for (int c = 0; c < concurrency; c++) {
            clients[c] = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long s = System.nanoTime();
                    try {
                        HttpRequest req = HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(timeoutSeconds))
                                .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i % bodies.size()))).build();
                        HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString());
                        if (res.statusCode() != 200) {
                            errors.incrementAndGet();
                            failures.add("HTTP " + res.statusCode());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        errors.addAndGet(total - i); // this one and the rest are not sent
                        failures.add("interrupted");
                        return;
                    } catch (Exception e) { // java.net.ConnectException, HttpTimeoutException, IOException...
                        errors.incrementAndGet();
                        failures.add(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                    }
                    latencies[i] = System.nanoTime() - s;
                }
            }, "loadtest-" + c);
            clients[c].start();
        }
        for (Thread t : clients) {
            t.join();
        }
        return errors.get();
    }
}
