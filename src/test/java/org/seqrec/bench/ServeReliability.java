package org.seqrec.bench;

import org.seqrec.testutil.SlowClients;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.seqrec.util.Json;

/**
 * The abuse cases of {@code bench/reliability-serve.sh} against a running {@code seqrec serve} on
 * loopback; each prints one JSON line. Every loop is bounded in count and time.
 * <ul>
 *   <li>{@code slow PORT CLIENTS SECONDS BOUND_MS}: CLIENTS slow connections (a body trickled a byte
 *       every 100 ms, a declared body never sent, headers never finished, nothing sent), /health timed
 *       every 200 ms for SECONDS on fresh connections; then how many slow connections the server
 *       closed within BOUND_MS of opening them;
 *   <li>{@code amplify PORT COPIES K}: one batch of COPIES requests {@code {"history": ["1","2"], "k": K}}, timed
 *       after a first request has started the client;
 *   <li>{@code soak PORT REQUESTS CONCURRENCY ITEM...}: REQUESTS requests, a mix of good single
 *       requests (histories from ITEM ids), small batches and bad input (malformed, an unknown field,
 *       k over the limit), from CONCURRENCY clients.
 * </ul>
 */
public final class ServeReliability {
    private ServeReliability() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        ObjectNode out = switch (args[0]) {
            case "slow" -> slow(port, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
            case "amplify" -> amplify(port, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "soak" -> soak(port, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Arrays.copyOfRange(args, 4, args.length));
            default -> throw new IllegalArgumentException("unknown case " + args[0]);
        };
        System.out.println(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static final String[] SLOW_KINDS = {"body-trickled", "body-never-sent", "headers-unfinished", "silent"};

    static ObjectNode slow(int port, int clients, int seconds, long boundMillis) throws Exception {
        String head = "POST /v1/recommend HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n";
        List<Socket> trickle = java.util.Collections.synchronizedList(new ArrayList<>());
        String[] outcome = new String[clients];
        long[] closedMs = new long[clients];
        List<Thread> readers = new ArrayList<>();
        List<Socket> all = new ArrayList<>();
        int connectFailures = 0;
        for (int i = 0; i < clients; i++) {
            Socket s = new Socket();
            long opened = System.nanoTime();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                OutputStream o = s.getOutputStream();
                switch (i % 4) {
                    case 0 -> {
                        o.write((head + "Content-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                        trickle.add(s);
                    }
                    case 1 -> o.write((head + "Content-Length: 30\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    case 2 -> o.write(head.getBytes(StandardCharsets.US_ASCII));
                    default -> { }
                }
                o.flush();
                s.setSoTimeout((int) boundMillis);
            } catch (IOException e) {
                connectFailures++;
                outcome[i] = "connect-failed";
                s.close();
                continue;
            }
            all.add(s);
            int index = i;
            Thread reader = new Thread(() -> { // how and when the server ends this connection
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                String status;
                try (InputStream in = s.getInputStream()) {
                    in.transferTo(got);
                    String text = got.toString(StandardCharsets.US_ASCII);
                    status = text.length() >= 12 ? text.substring(9, 12) : "closed";
                } catch (SocketTimeoutException e) {
                    status = "open";
                } catch (IOException e) {
                    status = "reset";
                }
                closedMs[index] = (System.nanoTime() - opened) / 1_000_000;
                outcome[index] = status;
            }, "slow-" + i);
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
        }
        long end = System.nanoTime() + (long) (Math.max(seconds, 1) + boundMillis / 1000 + 5) * 1_000_000_000L;
        SlowClients.trickle(trickle, end);
        List<Long> health = new ArrayList<>();
        int attempts = 0;
        int healthFailures = 0;
        int healthSlow = 0;
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        for (int i = 0; i < 1000 && System.nanoTime() < until; i++) {
            attempts++;
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()); // a fresh connection each time
                long ms = (System.nanoTime() - t0) / 1_000_000;
                health.add(ms);
                if (r.statusCode() != 200) {
                    healthFailures++;
                } else if (ms >= 1000) {
                    healthSlow++;
                }
            } catch (IOException e) {
                healthFailures++;
            }
            Thread.sleep(200);
        }
        for (Thread t : readers) {
            t.join(boundMillis + 5000);
        }
        for (Socket s : all) {
            s.close();
        }
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Long> maxClose = new TreeMap<>();
        int stillOpen = 0;
        int fiveHundreds = 0;
        for (int i = 0; i < clients; i++) {
            String status = outcome[i] == null ? "open" : outcome[i];
            if (status.equals("open")) {
                stillOpen++;
            } else if (!status.equals("connect-failed")) {
                maxClose.merge(SLOW_KINDS[i % 4], closedMs[i], Math::max);
            }
            if (status.startsWith("5") && !status.equals("503")) {
                fiveHundreds++;
            }
            statuses.merge(SLOW_KINDS[i % 4] + " " + status, 1, Integer::sum);
        }
        long[] sorted = health.stream().mapToLong(Long::longValue).sorted().toArray();
        ObjectNode o = Json.object();
        o.put("case", "slow-clients");
        o.put("slow_clients", clients);
        o.put("connect_failures", connectFailures);
        o.put("health_checks", attempts);
        o.put("health_failures", healthFailures);
        o.put("health_over_1s", healthSlow);
        o.put("health_p50_ms", sorted.length == 0 ? -1 : sorted[sorted.length / 2]);
        o.put("health_max_ms", sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
        o.put("close_bound_ms", boundMillis);
        o.put("slow_still_open_after_bound", stillOpen);
        o.put("server_errors_5xx_other_than_503", fiveHundreds);
        o.set("slow_client_outcomes", Json.MAPPER.valueToTree(statuses));
        o.set("slowest_close_ms_by_kind", Json.MAPPER.valueToTree(maxClose));
        return o;
    }

    static ObjectNode amplify(int port, int copies, int k) throws Exception {
        StringBuilder sb = new StringBuilder("{\"requests\": [");
        for (int i = 0; i < copies; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"history\": [\"1\", \"2\"], \"k\": ").append(k).append('}');
        }
        String body = sb.append("]}").toString();
        HttpClient c = client();
        c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(), // the client's own start-up
                HttpResponse.BodyHandlers.ofString());
        long t0 = System.nanoTime();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/recommend/batch"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        ObjectNode o = Json.object();
        o.put("case", "batch-amplification-" + copies);
        o.put("copies", copies);
        o.put("k", k);
        o.put("request_bytes", body.length());
        o.put("status", r.statusCode());
        o.put("response_bytes", r.body().length());
        o.put("ms", (System.nanoTime() - t0) / 1_000_000);
        o.put("error", Json.MAPPER.readTree(r.body()).path("error").asText(""));
        return o;
    }

    static ObjectNode soak(int port, int requests, int concurrency, String[] items) throws Exception {
        String[] kinds = {"single", "batch", "bad-json", "unknown-field", "big-k"};
        String[] expected = {"200", "200", "400", "400", "4xx"};
        HttpClient c = client();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger transport = new AtomicInteger();
        AtomicInteger unexpected = new AtomicInteger();
        AtomicInteger fiveHundreds = new AtomicInteger();
        AtomicLong deadline = new AtomicLong(System.nanoTime() + 600_000_000_000L); // 10 minutes at most
        Map<String, AtomicInteger> byStatus = new ConcurrentHashMap<>();
        Thread[] ts = new Thread[concurrency];
        long t0 = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            ts[t] = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < requests && System.nanoTime() < deadline.get(); i = next.getAndIncrement()) {
                    int kind = i % 10 < 6 ? 0 : i % 10 - 5; // 60 % good single requests, 10 % good batches, 30 % bad
                    String a = items[i % items.length];
                    String b = items[(i * 7 + 3) % items.length];
                    String body = switch (kind) {
                        case 0 -> "{\"history\": [\"" + a + "\", \"" + b + "\"], \"k\": 10}";
                        case 1 -> "{\"requests\": [{\"history\": [\"" + a + "\"], \"k\": 5}, {\"history\": [\"" + b + "\"], \"k\": 5}]}";
                        case 2 -> "{\"history\": [\"" + a + "\"";
                        case 3 -> "{\"history\": [\"" + a + "\"], \"exclude\": [\"" + b + "\"]}";
                        default -> "{\"history\": [\"" + a + "\"], \"k\": 100000000}";
                    };
                    String path = kind == 1 ? "/v1/recommend/batch" : "/v1/recommend";
                    try {
                        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        String s = Integer.toString(r.statusCode());
                        byStatus.computeIfAbsent(kinds[kind] + " " + s, x -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() >= 500) {
                            fiveHundreds.incrementAndGet();
                        }
                        boolean ok = expected[kind].equals("4xx") ? s.startsWith("4") : expected[kind].equals(s);
                        if (!ok) {
                            unexpected.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (IOException e) {
                        transport.incrementAndGet();
                    }
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        ObjectNode o = Json.object();
        o.put("case", "soak");
        o.put("requests", Math.min(requests, next.get()));
        o.put("concurrency", concurrency);
        o.put("seconds", (System.nanoTime() - t0) / 1e9);
        o.put("transport_errors", transport.get());
        o.put("unexpected_status", unexpected.get());
        o.put("server_errors_5xx", fiveHundreds.get());
        Map<String, Integer> counts = new TreeMap<>();
        byStatus.forEach((k, v) -> counts.put(k, v.get()));
        o.set("by_kind_and_status", Json.MAPPER.valueToTree(counts));
        return o;
    }
}
