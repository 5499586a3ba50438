package org.seqrec.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.Recommender;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP recommendation service ({@code seqrec serve}), on Javalin (embedded Jetty):
 * <ul>
 *   <li>{@code POST /v1/recommend} {@code {"history": [ids, oldest first], "k": 10, "exclude_seen": true}}
 *       returns {@code {"items": [{"id", "score"}], "unknown": [...], "used": N, "truncated": N, ...}};
 *   <li>{@code POST /v1/recommend/batch} {@code {"requests": [...]}} returns {@code {"results": [...]}};
 *   <li>{@code GET /health}; {@code GET /metrics} (Prometheus text format); {@code POST /v1/reload}
 *       {@code {"run": "runs/NAME"}} switches runs without dropping requests in flight.
 * </ul>
 * Bad input is answered with a 4xx and {@code {"error": "..."}}: malformed JSON, wrong types, k out
 * of 1..n (400), a body over the limit (413). An empty history (or one with no known item) gets the
 * popularity ranking, marked {@code "fallback": "popularity"}; unknown ids are ignored and listed; a
 * history longer than L is cut to its most recent L items ({@code "truncated"} says how many were not
 * read).
 */
public final class HttpService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpService.class);
    /** Parses one JSON value; anything after it is an error. */
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
            Json.MAPPER.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Most requests in one batch call. */
    public static final int MAX_BATCH_REQUESTS = 10_000;

    /** Settings of the HTTP layer. */
    public record Options(String host, int port, long maxBodyBytes, int batchChunk) {}

    private final RecommendService service;
    private final Options options;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Info modelInfo;
    private final Counter reloads;
    private final Javalin app;

    /** Starts the service on {@code options.host():options.port()} (port 0: any free port). */
    public HttpService(Path run, RecommendService.Batching batching, Options options) {
        this.options = options;
        this.requests = Counter.builder().name("seqrec_requests").help("HTTP requests by endpoint and status")
                .labelNames("endpoint", "status").register(registry);
        this.latency = Histogram.builder().name("seqrec_request_duration_seconds").help("request latency by endpoint")
                .labelNames("endpoint").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5).register(registry);
        Histogram batchSize = Histogram.builder().name("seqrec_forward_batch_size")
                .help("histories scored per forward pass").classicOnly()
                .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).register(registry);
        this.modelInfo = Info.builder().name("seqrec_model").help("the run being served").labelNames("run", "model")
                .register(registry);
        this.reloads = Counter.builder().name("seqrec_reloads").help("successful model reloads").register(registry);
        this.service = new RecommendService(run, batching, batchSize::observe, 30_000);
        describeModel();
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = options.maxBodyBytes();
        });
        app.get("/health", ctx -> timed(ctx, "health", () -> health()));
        app.get("/metrics", this::metrics);
        app.post("/v1/recommend", ctx -> timed(ctx, "recommend", () -> recommend(body(ctx))));
        app.post("/v1/recommend/batch", ctx -> timed(ctx, "batch", () -> batch(body(ctx))));
        app.post("/v1/reload", ctx -> timed(ctx, "reload", () -> reload(body(ctx))));
        app.start(options.host(), options.port());
        LOG.info("serving {} on http://{}:{}", run, options.host(), app.port());
    }

    public int port() {
        return app.port();
    }

    /** The service behind the HTTP layer. */
    RecommendService core() {
        return service;
    }

    /** An answer with its status. */
    private record Reply(int status, JsonNode body) {
        static Reply ok(JsonNode body) {
            return new Reply(200, body);
        }
    }

    /** A client error: the status and the message. */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }

        BadRequest(String message) {
            this(400, message);
        }
    }

    private void timed(Context ctx, String endpoint, java.util.function.Supplier<Reply> handler) {
        long t0 = System.nanoTime();
        Reply reply;
        try {
            reply = handler.get();
        } catch (BadRequest e) {
            reply = error(e.status, e.getMessage());
        } catch (MicroBatcher.Overloaded e) {
            reply = error(503, e.getMessage());
        } catch (SeqrecException e) { // a rejected value (k out of range, a run that does not load)
            reply = error(400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} failed", endpoint, e);
            reply = error(500, "internal error: " + e);
        }
        ctx.status(reply.status()).contentType("application/json").result(reply.body().toString());
        latency.labelValues(endpoint).observe((System.nanoTime() - t0) / 1e9);
        requests.labelValues(endpoint, Integer.toString(reply.status())).inc();
    }

    private static Reply error(int status, String message) {
        ObjectNode o = Json.object();
        o.put("error", message);
        return new Reply(status, o);
    }

    /** The request body as JSON; 413 over the size limit (whether or not a length was sent), 400 if not JSON. */
    private JsonNode body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > options.maxBodyBytes()) {
            throw new BadRequest(413, "request body of " + declared + " bytes is over the limit of " + options.maxBodyBytes());
        }
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 1, options.maxBodyBytes() + 1));
        } catch (IOException e) {
            throw new BadRequest("cannot read the request body: " + e.getMessage());
        }
        if (bytes.length > options.maxBodyBytes()) {
            throw new BadRequest(413, "request body is over the limit of " + options.maxBodyBytes() + " bytes");
        }
        if (bytes.length == 0) {
            throw new BadRequest("empty request body: a JSON object is expected");
        }
        try {
            return STRICT.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequest("malformed JSON: " + e.getMessage());
        }
    }

    private Reply recommend(JsonNode body) {
        Recommender.Query q = query(body, "", numItems());
        return Reply.ok(result(q, service.recommend(q)));
    }

    private Reply batch(JsonNode body) {
        JsonNode list = object(body, "").path("requests");
        if (!list.isArray()) {
            throw new BadRequest("\"requests\" must be an array of recommendation requests");
        }
        if (list.size() > MAX_BATCH_REQUESTS) {
            throw new BadRequest(413, "at most " + MAX_BATCH_REQUESTS + " requests per batch, got " + list.size());
        }
        List<Recommender.Query> queries = new ArrayList<>(list.size());
        int n = numItems();
        for (int i = 0; i < list.size(); i++) {
            queries.add(query(list.get(i), "requests[" + i + "].", n));
        }
        List<Recommender.Result> results = service.recommendAll(queries, options.batchChunk());
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("results");
        for (int i = 0; i < queries.size(); i++) {
            arr.add(result(queries.get(i), results.get(i)));
        }
        return Reply.ok(out);
    }

    private static JsonNode object(JsonNode body, String where) {
        if (body == null || !body.isObject()) {
            throw new BadRequest((where.isEmpty() ? "the body" : where.substring(0, where.length() - 1)) + " must be a JSON object");
        }
        return body;
    }

    /** A validated query: history an array of ids (strings or integers), k an integer in 1..n, exclude_seen a boolean. */
    private int numItems() {
        return service.withModel(m -> m.recommender().numItems());
    }

    private Recommender.Query query(JsonNode body, String where, int n) {
        object(body, where);
        JsonNode h = body.path("history");
        if (!h.isArray()) {
            throw new BadRequest(where + "history must be an array of item ids (oldest first)");
        }
        List<String> history = new ArrayList<>(h.size());
        for (JsonNode id : h) {
            if (id.isTextual()) {
                history.add(id.asText());
            } else if (id.isIntegralNumber()) {
                history.add(id.asText());
            } else {
                throw new BadRequest(where + "history holds a " + id.getNodeType().toString().toLowerCase() + " (" + id
                        + "): item ids are strings or integers");
            }
        }
        JsonNode kNode = body.path("k");
        int k = 10;
        if (!kNode.isMissingNode()) {
            if (!kNode.isIntegralNumber() || !kNode.canConvertToInt()) {
                throw new BadRequest(where + "k must be an integer, got " + kNode);
            }
            k = kNode.asInt();
        }
        if (k < 1 || k > n) {
            throw new BadRequest(where + "k must be in 1.." + n + " (the number of items), got " + k);
        }
        JsonNode ex = body.path("exclude_seen");
        if (!ex.isMissingNode() && !ex.isBoolean()) {
            throw new BadRequest(where + "exclude_seen must be true or false, got " + ex);
        }
        return new Recommender.Query(history, k, ex.isMissingNode() || ex.asBoolean());
    }

    private ObjectNode result(Recommender.Query q, Recommender.Result r) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        for (Recommender.Item it : r.items()) {
            items.addObject().put("id", it.id()).put("score", it.score());
        }
        ArrayNode unknown = out.putArray("unknown");
        r.unknown().forEach(unknown::add);
        int known = q.history().size() - r.unknown().size();
        out.put("used", r.used());
        out.put("truncated", Math.max(0, known - r.used()));
        if (r.popularityFallback()) {
            out.put("fallback", "popularity");
            out.put("note", q.history().isEmpty() ? "empty history: the most popular items"
                    : "no known item in the history: the most popular items");
        }
        return out;
    }

    private Reply health() {
        return service.withModel(m -> {
            ObjectNode o = Json.object();
            o.put("status", "ok");
            o.put("run", m.run().toString());
            o.put("model", m.recommender().modelName());
            o.put("items", m.recommender().numItems());
            o.put("max_len", m.recommender().maxLen());
            return Reply.ok(o);
        });
    }

    private Reply reload(JsonNode body) {
        JsonNode run = object(body, "").path("run");
        if (!run.isTextual() || run.asText().isBlank()) {
            throw new BadRequest("\"run\" must be the path of a run directory");
        }
        Path path = Path.of(run.asText());
        if (!Files.isDirectory(path)) {
            throw new BadRequest("no run directory " + path);
        }
        service.reload(path);
        reloads.inc();
        describeModel();
        return health();
    }

    private void describeModel() {
        service.withModel(m -> {
            modelInfo.setLabelValues(m.run().toString(), m.recommender().modelName());
            return null;
        });
    }

    private void metrics(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        ctx.contentType(PrometheusTextFormatWriter.CONTENT_TYPE).result(out.toByteArray());
    }

    @Override
    public void close() {
        app.stop();
        service.close();
    }
}
