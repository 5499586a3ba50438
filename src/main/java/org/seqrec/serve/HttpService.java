package org.seqrec.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
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
 *   <li>{@code POST /v1/recommend} {@code {"user": "u1", "k": 10}}, or {@code GET /v1/users/u1/recommendations?k=10}:
 *       the same for the history the run keeps for that user (404 for a user it does not know);
 *   <li>{@code POST /v1/recommend/batch} {@code {"requests": [...]}} returns {@code {"results": [...]}};
 *   <li>{@code POST /v1/events} {@code {"events": [{"user": "u1", "item": "i9"}, ...]}} appends to the kept
 *       histories (durable when answered); off unless the server is started with events on.
 *   <li>{@code GET /health} (the run and model served); {@code GET /metrics} (Prometheus text format);
 *   <li>{@code POST /v1/reload} {@code {"run": "runs/NAME"}} switches runs without dropping requests in
 *       flight; off unless an admin token is configured ({@link Admin}), then bearer-token protected.
 * </ul>
 * Bad input is answered with a 4xx and {@code {"error": "..."}}: malformed JSON, duplicate or unknown
 * keys, wrong types, k out of 1..n (400); a wrong method (405 with {@code Allow}); a body over the limit
 * or a request over a work budget of {@link Limits} (413); a body that does not arrive in time (408).
 * An empty history (or one with no known item) gets the popularity ranking, marked {@code "fallback":
 * "popularity"}; unknown ids are ignored and listed; a history longer than L is cut to its most recent
 * L items ({@code "truncated"} says how many were not read). A score that is not finite is sent as
 * {@code null}. Slow or idle clients are cut off by timeouts and cannot take every thread: see
 * {@link Limits}.
 */
public final class HttpService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpService.class);
    /** Parses one JSON value; anything after it, or a key given twice, is an error. */
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = Json.MAPPER.reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> QUERY_FIELDS = Set.of("history", "user", "k", "exclude_seen");

    /**
     * Budgets of one request and limits of the HTTP layer.
     *
     * @param maxK most items one request may ask for (413 beyond; 400 beyond the number of items)
     * @param maxBatchRequests most requests in one batch call (413 beyond)
     * @param maxBatchItems most items in one batch answer: the sum of its requests' k (413 beyond)
     * @param maxHistoryIds most history ids in one call, summed over a batch (413 beyond)
     * @param batchTimeoutMillis a batch still scoring after this long is abandoned between passes (503)
     * @param idleTimeoutMillis a connection silent this long is closed (and any one read waits at most this)
     * @param bodyTimeoutMillis the whole body of a request must arrive within this (408 and close beyond)
     * @param maxConnections most open connections; beyond it new ones wait in the accept backlog
     * @param maxThreads request threads; at most half of them read request bodies at once (503 beyond)
     */
    public record Limits(int maxK, int maxBatchRequests, long maxBatchItems, long maxHistoryIds, long batchTimeoutMillis,
            long idleTimeoutMillis, long bodyTimeoutMillis, int maxConnections, int maxThreads) {
        public Limits {
            if (maxK < 1 || maxBatchRequests < 1 || maxBatchItems < 1 || maxHistoryIds < 1 || batchTimeoutMillis < 1
                    || idleTimeoutMillis < 1 || bodyTimeoutMillis < 1 || maxConnections < 1 || maxThreads < 8) {
                throw new SeqrecException("every serving limit must be positive (and at least 8 HTTP threads)");
            }
        }

        /** The defaults of {@code seqrec serve}. */
        public static Limits defaults() {
            return new Limits(1000, 1000, 100_000, 100_000, 30_000, 30_000, 10_000, 1000, 200);
        }

        /** How many requests may be reading their body at once. */
        public int maxBodyReaders() {
            return Math.max(1, maxThreads / 2);
        }
    }

    /**
     * Who may call {@code POST /v1/reload}: nobody unless {@code token} is set; then a request needs
     * {@code Authorization: Bearer TOKEN}, {@code Content-Type: application/json}, a {@code Host} (and
     * {@code Origin}, if any) naming this server (loopback names, the listen address, {@code allowedHosts}),
     * and a run directory under {@code runsRoot} (null: the parent directory of the served run).
     */
    public record Admin(String token, Path runsRoot, List<String> allowedHosts) {
        public Admin {
            allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        }

        /** Reload off. */
        public static Admin off() {
            return new Admin(null, null, List.of());
        }

        public boolean enabled() {
            return token != null;
        }

        @Override
        public String toString() { // never print the token
            return "Admin[token=" + (token == null ? "none" : "***") + ", runsRoot=" + runsRoot + ", allowedHosts=" + allowedHosts + "]";
        }
    }

    /** Settings of the HTTP layer. */
    public record Options(String host, int port, long maxBodyBytes, int batchChunk, Limits limits, Admin admin, boolean events) {
        /** Default limits, reload off, events off. */
        public Options(String host, int port, long maxBodyBytes, int batchChunk) {
            this(host, port, maxBodyBytes, batchChunk, Limits.defaults(), Admin.off(), false);
        }

        /** Events ({@code POST /v1/events}) off. */
        public Options(String host, int port, long maxBodyBytes, int batchChunk, Limits limits, Admin admin) {
            this(host, port, maxBodyBytes, batchChunk, limits, admin, false);
        }
    }

    private final RecommendService service;
    private final Options options;
    private final Limits limits;
    private final Semaphore bodyReaders;
    private final byte[] tokenDigest;
    private final Path rootAbsolute;
    private final Path rootReal;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    /**
     * The JVM's metrics (GC pauses, memory pools, threads: what a latency tail is made of), one registry for the
     * process: JvmMetrics keeps every registry it registers into, and a GC listener per registration, for good.
     */
    private static final PrometheusRegistry JVM_METRICS = jvmMetrics();

    private static PrometheusRegistry jvmMetrics() {
        PrometheusRegistry r = new PrometheusRegistry();
        JvmMetrics.builder().register(r);
        return r;
    }
    private final Counter requests;
    private final Histogram latency;
    private final Info modelInfo;
    private final Counter reloads;
    private final Javalin app;

    /**
     * Starts the service on {@code options.host():options.port()} (port 0: any free port).
     *
     * @throws SeqrecException the address is not valid or not this machine's, the port is taken, the runs root is missing
     */
    public HttpService(Path run, RecommendService.Batching batching, Options options) {
        this.options = options;
        this.limits = options.limits();
        this.bodyReaders = new Semaphore(limits.maxBodyReaders());
        InetAddress address = checkHost(options.host());
        Admin admin = options.admin();
        if (admin.enabled()) {
            this.tokenDigest = sha256(admin.token());
            Path root = admin.runsRoot() != null ? admin.runsRoot() : run.toAbsolutePath().normalize().getParent();
            this.rootAbsolute = root.toAbsolutePath().normalize();
            try {
                this.rootReal = root.toRealPath();
            } catch (IOException e) {
                throw new SeqrecException("runs root " + root + " does not exist");
            }
            if (!Files.isDirectory(rootReal)) {
                throw new SeqrecException("runs root " + root + " is not a directory");
            }
        } else {
            this.tokenDigest = null;
            this.rootAbsolute = null;
            this.rootReal = null;
        }
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
            // a bounded pool with a bounded queue: a flood is refused instead of queued without end
            QueuedThreadPool pool = new QueuedThreadPool(limits.maxThreads(), Math.min(8, limits.maxThreads()), 60_000,
                    new BlockingArrayQueue<>(64, 64, Math.max(1024, 2 * limits.maxConnections())));
            pool.setName("seqrec-http");
            cfg.jetty.threadPool = pool;
            // dispatch when the headers are in, so a body over the limit is refused at once (413)
            // instead of when its first bytes arrive; body reads are bounded by bodyReaders
            cfg.jetty.modifyHttpConfiguration(http -> {
                http.setDelayDispatchUntilContent(false);
                http.setSendServerVersion(false);
            });
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(options.host());
                connector.setPort(options.port());
                connector.setIdleTimeout(limits.idleTimeoutMillis());
                return connector;
            });
            cfg.jetty.modifyServer(server -> {
                ConnectionLimit limit = new ConnectionLimit(limits.maxConnections(), server);
                limit.setIdleTimeout(Math.min(limits.idleTimeoutMillis(), 2000)); // at the limit, idle ones go sooner
                server.addBean(limit);
            });
        });
        route("/health", HandlerType.GET, ctx -> timed(ctx, "health", () -> health()));
        route("/metrics", HandlerType.GET, this::metrics);
        route("/v1/recommend", HandlerType.POST, ctx -> timed(ctx, "recommend", () -> recommend(body(ctx))));
        route("/v1/recommend/batch", HandlerType.POST, ctx -> timed(ctx, "batch", () -> batch(ctx, body(ctx))));
        route("/v1/users/{user}/recommendations", HandlerType.GET, ctx -> timed(ctx, "user", () -> recommend(userQuery(ctx))));
        route("/v1/events", HandlerType.POST, ctx -> timed(ctx, "events", () -> events(ctx)));
        route("/v1/reload", HandlerType.POST, ctx -> timed(ctx, "reload", () -> reload(ctx)));
        try {
            app.start();
        } catch (RuntimeException e) {
            try {
                app.stop();
            } catch (RuntimeException ignored) {
                // not started
            }
            service.close();
            throw bindError(e, address);
        }
        LOG.info("serving {} on http://{}:{}; reload {}", run, options.host(), app.port(),
                admin.enabled() ? "on (bearer token), runs under " + rootReal : "off");
    }

    /** Registers {@code handler} for {@code method} and a 405 with {@code Allow} for the other methods. */
    private void route(String path, HandlerType method, io.javalin.http.Handler handler) {
        app.addHttpHandler(method, path, handler);
        for (HandlerType other : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
                HandlerType.DELETE, HandlerType.HEAD, HandlerType.OPTIONS}) {
            if (other != method) {
                app.addHttpHandler(other, path, ctx -> {
                    ctx.header("Allow", method.name());
                    ctx.status(405).contentType("application/json").result(error(405,
                            ctx.method().name() + " is not allowed on " + path + "; use " + method.name()).body().toString());
                });
            }
        }
    }

    /** The listen address, checked before binding: an IPv4 literal must be one, a name must resolve. */
    private static InetAddress checkHost(String host) {
        if (host.matches("[0-9.]+")) {
            String[] parts = host.split("\\.", -1);
            boolean ok = parts.length == 4;
            for (int i = 0; ok && i < 4; i++) {
                ok = !parts[i].isEmpty() && parts[i].length() <= 3 && Integer.parseInt(parts[i]) <= 255;
            }
            if (!ok) {
                throw new SeqrecException("--host " + host + " is not a valid IPv4 address");
            }
        }
        try {
            return InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new SeqrecException("--host " + host + " is not a valid address or a known host name");
        }
    }

    /** Why the server could not start, as a user error where it is one. */
    private RuntimeException bindError(RuntimeException e, InetAddress address) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException be) {
                String m = String.valueOf(be.getMessage());
                if (m.contains("in use")) {
                    return new SeqrecException("port " + options.port() + " on " + options.host() + " is already in use");
                }
                return new SeqrecException("cannot listen on " + options.host() + " (" + address.getHostAddress()
                        + "): not an address of this machine (" + m + ")");
            }
        }
        return e;
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

    /** A client error: the status, the message, extra headers; {@code close}: the connection is closed after it. */
    static final class BadRequest extends RuntimeException {
        final int status;
        final boolean close;
        final Map<String, String> headers;

        BadRequest(int status, String message, boolean close, Map<String, String> headers) {
            super(message);
            this.status = status;
            this.close = close;
            this.headers = headers;
        }

        BadRequest(int status, String message) {
            this(status, message, false, Map.of());
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
            e.headers.forEach(ctx::header);
            if (e.close) {
                ctx.header("Connection", "close"); // the rest of the body is not read: do not reuse the connection
            }
        } catch (MicroBatcher.Overloaded | RecommendService.Abandoned e) {
            reply = error(503, e.getMessage());
        } catch (SeqrecException e) { // a rejected value (k out of range)
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

    /**
     * The request body as JSON: 413 over the size limit (at once when the declared length is over it,
     * whether or not a length was sent), 408 when it does not all arrive within the body timeout, 503
     * when too many requests are reading a body already, 400 if not JSON.
     */
    private JsonNode body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > options.maxBodyBytes()) {
            throw new BadRequest(413, "request body of " + declared + " bytes is over the limit of " + options.maxBodyBytes(), true,
                    Map.of());
        }
        if (!bodyReaders.tryAcquire()) {
            throw new BadRequest(503, "too many requests are sending a body (" + limits.maxBodyReaders() + "); retry later", true,
                    Map.of("Retry-After", "1"));
        }
        byte[] bytes;
        try {
            bytes = readBody(ctx, declared);
        } finally {
            bodyReaders.release();
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

    /** Reads the body with a deadline: no single read waits past it (nor past the idle timeout). */
    private byte[] readBody(Context ctx, long declared) {
        long max = options.maxBodyBytes();
        long deadline = System.nanoTime() + limits.bodyTimeoutMillis() * 1_000_000L;
        EndPoint endPoint = endPoint(ctx);
        long idle = endPoint == null ? 0 : endPoint.getIdleTimeout();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), max));
        byte[] buf = new byte[8192];
        try (InputStream in = ctx.req().getInputStream()) {
            // the usual case, a body that came with the headers, reads without touching the connection's timer
            if (endPoint != null && declared > 0 && in.available() >= declared) {
                endPoint = null;
            }
            for (;;) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw bodyTimeout(out.size());
                }
                if (endPoint != null) {
                    endPoint.setIdleTimeout(idle > 0 ? Math.min(idle, left) : left);
                }
                int n = in.read(buf, 0, (int) Math.min(buf.length, max + 1 - out.size()));
                if (n < 0) {
                    return out.toByteArray();
                }
                out.write(buf, 0, n);
                if (out.size() > max) {
                    throw new BadRequest(413, "request body is over the limit of " + max + " bytes", true, Map.of());
                }
            }
        } catch (IOException e) {
            if (System.nanoTime() - deadline >= 0 || e.getCause() instanceof java.util.concurrent.TimeoutException
                    || e instanceof java.io.InterruptedIOException) {
                throw bodyTimeout(out.size());
            }
            throw new BadRequest(400, "cannot read the request body: " + e.getMessage(), true, Map.of());
        } finally {
            if (endPoint != null && endPoint.isOpen()) {
                endPoint.setIdleTimeout(idle);
            }
        }
    }

    private BadRequest bodyTimeout(int received) {
        return new BadRequest(408, "the request body did not arrive within " + limits.bodyTimeoutMillis() + " ms (" + received
                + " bytes received)", true, Map.of());
    }

    /** The connection of a request (Jetty), or null if it cannot be reached. */
    private static EndPoint endPoint(Context ctx) {
        try {
            Request base = Request.getBaseRequest(ctx.req());
            return base == null ? null : base.getHttpChannel().getEndPoint();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Reply recommend(JsonNode body) {
        Recommender.Query q = query(body, "", numItems());
        if (body.has("history") && q.history().size() > limits.maxHistoryIds()) {
            throw new BadRequest(413, "the history has " + q.history().size() + " ids, over this server's limit of "
                    + limits.maxHistoryIds() + " per request");
        }
        return Reply.ok(result(q, service.recommend(q)));
    }

    private Reply batch(Context ctx, JsonNode body) {
        object(body, "");
        onlyFields(body, "", Set.of("requests"), "a batch has only \"requests\"");
        JsonNode list = body.path("requests");
        if (!list.isArray()) {
            throw new BadRequest("\"requests\" must be an array of recommendation requests");
        }
        if (list.size() > limits.maxBatchRequests()) {
            throw new BadRequest(413, "at most " + limits.maxBatchRequests() + " requests per batch, got " + list.size());
        }
        List<Recommender.Query> queries = new ArrayList<>(list.size());
        int n = numItems();
        long items = 0;
        long historyIds = 0;
        for (int i = 0; i < list.size(); i++) {
            Recommender.Query q = query(list.get(i), "requests[" + i + "].", n);
            queries.add(q);
            items += q.k();
            if (list.get(i).has("history")) { // a user's kept history is the server's own, not the client's work
                historyIds += q.history().size();
            }
        }
        // the work budget, before any scoring: the answer's size and the ids read
        if (items > limits.maxBatchItems()) {
            throw new BadRequest(413, "the batch asks for " + items + " items in all (the sum of its k), over this server's limit of "
                    + limits.maxBatchItems() + "; split it or ask for fewer");
        }
        if (historyIds > limits.maxHistoryIds()) {
            throw new BadRequest(413, "the batch has " + historyIds + " history ids in all, over this server's limit of "
                    + limits.maxHistoryIds());
        }
        long deadline = System.nanoTime() + limits.batchTimeoutMillis() * 1_000_000L;
        EndPoint endPoint = endPoint(ctx);
        List<Recommender.Result> results = service.recommendAll(queries, options.batchChunk(), () -> {
            if (endPoint != null && !endPoint.isOpen()) {
                return "the client closed the connection";
            }
            return System.nanoTime() - deadline > 0 ? "the batch took longer than " + limits.batchTimeoutMillis() + " ms" : null;
        });
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

    /** 400 naming the first field of {@code body} that is not one of {@code accepted}. */
    private static void onlyFields(JsonNode body, String where, Set<String> accepted, String which) {
        for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!accepted.contains(f)) {
                throw new BadRequest(where + "unknown field \"" + abbreviate(f) + "\": " + which);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    private int numItems() {
        return service.withModel(m -> m.recommender().numItems());
    }

    /** A validated query: history an array of ids (strings or integers), k an integer in 1..min(n, max k), exclude_seen a boolean. */
    private Recommender.Query query(JsonNode body, String where, int n) {
        object(body, where);
        onlyFields(body, where, QUERY_FIELDS, "a request has history, k, exclude_seen (or user instead of history)");
        if (body.has("user") == body.has("history")) {
            throw new BadRequest(where + (body.has("user") ? "give history or user, not both"
                    : "history (item ids, oldest first) or user (a user id the run keeps a history for) is required"));
        }
        List<String> history = body.has("user") ? userHistory(body.get("user"), where) : history(body.path("history"), where);
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
        if (k > limits.maxK()) {
            throw new BadRequest(413, where + "k of " + k + " is over this server's limit of " + limits.maxK() + " items per request");
        }
        JsonNode ex = body.path("exclude_seen");
        if (!ex.isMissingNode() && !ex.isBoolean()) {
            throw new BadRequest(where + "exclude_seen must be true or false, got " + ex);
        }
        return new Recommender.Query(history, Math.min(k, n), ex.isMissingNode() ? Recommender.EXCLUDE_SEEN_BY_DEFAULT : ex.asBoolean(),
                body.has("user") ? id(body.get("user"), where + "user") : null);
    }

    /** A history given in a request: an array of item ids (strings or integers), oldest first. */
    private static List<String> history(JsonNode h, String where) {
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
        return history;
    }

    /** The history the served run keeps for a user id (a string or an integer); 404 when it keeps none for it. */
    private List<String> userHistory(JsonNode user, String where) {
        String id = id(user, where + "user");
        return service.withModel(m -> {
            try {
                // the most recent maxHistoryIds items: a user with a very long kept history costs no more than the longest allowed request
                return m.recommender().history(id, (int) Math.min(Integer.MAX_VALUE, limits.maxHistoryIds()))
                        .orElseThrow(() -> new BadRequest(404, where + "unknown user \"" + abbreviate(id)
                                + "\": the run keeps no history for it"));
            } catch (Recommender.NoUserHistoriesException e) {
                throw new BadRequest(404, e.getMessage());
            }
        });
    }

    /** {@code GET /v1/users/{user}/recommendations?k=&exclude_seen=} as the JSON request it stands for. */
    private static JsonNode userQuery(Context ctx) {
        ObjectNode q = Json.object();
        q.put("user", ctx.pathParam("user"));
        for (String key : ctx.queryParamMap().keySet()) {
            if (!key.equals("k") && !key.equals("exclude_seen")) {
                throw new BadRequest("unknown query parameter \"" + abbreviate(key) + "\": k, exclude_seen");
            }
        }
        String k = ctx.queryParam("k");
        if (k != null) {
            try {
                q.put("k", Integer.parseInt(k));
            } catch (NumberFormatException e) {
                throw new BadRequest("k must be an integer, got \"" + abbreviate(k) + "\"");
            }
        }
        String ex = ctx.queryParam("exclude_seen");
        if (ex != null) {
            if (!ex.equals("true") && !ex.equals("false")) {
                throw new BadRequest("exclude_seen must be true or false, got \"" + abbreviate(ex) + "\"");
            }
            q.put("exclude_seen", Boolean.parseBoolean(ex));
        }
        return q;
    }

    /**
     * {@code POST /v1/events}: appends interactions to the served run's kept histories, all or none, durable when
     * answered ({@code {"appended": N}}); 404 while events are off, 409 when the run keeps no histories, 413 over the
     * batch budget.
     */
    private Reply events(Context ctx) {
        if (!options.events()) {
            throw new BadRequest(404, "events are off on this server (start it with --events to accept them)");
        }
        JsonNode body = object(body(ctx), "");
        onlyFields(body, "", Set.of("events"), "a request has only \"events\"");
        JsonNode list = body.path("events");
        if (!list.isArray() || list.isEmpty()) {
            throw new BadRequest("\"events\" must be a non-empty array of {\"user\": id, \"item\": id}");
        }
        if (list.size() > limits.maxBatchItems()) {
            throw new BadRequest(413, "at most " + limits.maxBatchItems() + " events per request, got " + list.size());
        }
        List<org.seqrec.run.HistoryStore.Event> events = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String where = "events[" + i + "].";
            JsonNode e = object(list.get(i), where);
            onlyFields(e, where, Set.of("user", "item"), "an event has user and item");
            events.add(new org.seqrec.run.HistoryStore.Event(id(e.path("user"), where + "user"), id(e.path("item"), where + "item")));
        }
        service.withModel(m -> {
            try {
                m.recommender().append(events);
            } catch (Recommender.NoUserHistoriesException e) {
                throw new BadRequest(409, e.getMessage());
            }
            return null;
        });
        ObjectNode out = Json.object();
        out.put("appended", events.size());
        return Reply.ok(out);
    }

    /** A user or item id: a non-empty string (no control characters) or an integer. */
    private static String id(JsonNode v, String what) {
        if (!(v.isTextual() || v.isIntegralNumber())) {
            throw new BadRequest(what + " must be an id (a string or an integer), got " + (v.isMissingNode() ? "nothing" : v.toString()));
        }
        String s = v.asText();
        if (s.isEmpty() || s.length() > 256 || s.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequest(what + " must be 1 to 256 characters without control characters");
        }
        return s;
    }

    /** The answer to one request (also {@code seqrec recommend --json}). */
    public static ObjectNode result(Recommender.Query q, Recommender.Result r) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        for (Recommender.Item it : r.items()) {
            ObjectNode item = items.addObject().put("id", it.id());
            if (Float.isFinite(it.score())) {
                item.put("score", it.score());
            } else {
                item.putNull("score"); // JSON has no NaN or infinity
            }
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

    /**
     * {@code POST /v1/reload}: 404 while reload is off; 403 for a foreign {@code Host} or {@code
     * Origin}; 401 without the right bearer token; 415 unless JSON; 403 for a run outside the runs
     * root; 400 for a run that does not load (why: in the server log only).
     */
    private Reply reload(Context ctx) {
        Admin admin = options.admin();
        if (!admin.enabled()) {
            throw new BadRequest(404, "reload is off; start serve with --admin-token-file FILE to turn it on");
        }
        String host = ctx.header("Host");
        if (host == null || !allowedHost(host)) {
            LOG.warn("reload refused: Host {}", abbreviate(String.valueOf(host)));
            throw new BadRequest(403, "reload refused: the Host header does not name this server");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !(origin.startsWith("http://") && allowedHost(origin.substring("http://".length())))) {
            LOG.warn("reload refused: Origin {}", abbreviate(origin));
            throw new BadRequest(403, "reload refused: cross-origin requests are not allowed");
        }
        String auth = ctx.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
                || !MessageDigest.isEqual(sha256(auth.substring(7).strip()), tokenDigest)) {
            throw new BadRequest(401, auth == null ? "reload needs Authorization: Bearer TOKEN" : "reload refused: wrong token",
                    false, Map.of("WWW-Authenticate", "Bearer realm=\"seqrec\""));
        }
        String type = ctx.header("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).strip().matches("application/json\\s*(;.*)?")) {
            throw new BadRequest(415, "reload needs Content-Type: application/json");
        }
        JsonNode body = object(body(ctx), "");
        onlyFields(body, "", Set.of("run"), "a reload has only \"run\"");
        JsonNode run = body.path("run");
        if (!run.isTextual() || run.asText().isBlank()) {
            throw new BadRequest("\"run\" must be the path of a run directory");
        }
        String name = abbreviate(run.asText());
        Path path = runUnderRoot(run.asText(), name);
        try {
            service.reload(path);
        } catch (RuntimeException e) {
            LOG.warn("reload of {} failed: {}", path, e.getMessage());
            throw invalidRun(name);
        }
        reloads.inc();
        describeModel();
        return health();
    }

    /**
     * The real path of a run directory inside the runs root; 403 if it is not inside (lexically, or
     * once symbolic links are followed), 400 if it does not exist. Whether a path outside the root
     * exists is never looked at, and never told.
     */
    private Path runUnderRoot(String given, String name) {
        Path abs;
        try {
            abs = Path.of(given).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw invalidRun(name);
        }
        if (!inside(abs, rootAbsolute) && !inside(abs, rootReal)) {
            LOG.warn("reload refused: {} is outside the runs root {}", abs, rootReal);
            throw outsideRoot(name);
        }
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            LOG.warn("reload of {} failed: {}", abs, e.toString());
            throw invalidRun(name);
        }
        if (!inside(real, rootReal)) {
            LOG.warn("reload refused: {} leads to {}, outside the runs root {}", abs, real, rootReal);
            throw outsideRoot(name);
        }
        if (!Files.isDirectory(real)) {
            throw invalidRun(name);
        }
        return real;
    }

    private static boolean inside(Path p, Path root) {
        return p.startsWith(root) && !p.equals(root);
    }

    private static BadRequest outsideRoot(String name) {
        return new BadRequest(403, "cannot load run " + name + ": only runs under the runs root can be loaded");
    }

    private static BadRequest invalidRun(String name) {
        return new BadRequest(400, "cannot load run " + name + ": not a valid run under the runs root (the server log says why)");
    }

    /** A Host header value ({@code name:port}) naming this server: loopback, the listen address, or an allowed host. */
    private boolean allowedHost(String hostPort) {
        String h = hostPort.strip().toLowerCase(java.util.Locale.ROOT);
        String port = Integer.toString(port());
        Set<String> names = new java.util.HashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
        String listen = options.host().toLowerCase(java.util.Locale.ROOT);
        if (!listen.equals("0.0.0.0") && !listen.equals("::") && !listen.equals("[::]")) {
            names.add(listen.contains(":") && !listen.startsWith("[") ? "[" + listen + "]" : listen);
        }
        options.admin().allowedHosts().forEach(a -> names.add(a.toLowerCase(java.util.Locale.ROOT)));
        for (String name : names) {
            if (h.equals(name + ":" + port) || (port.equals("80") && h.equals(name))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void describeModel() {
        service.withModel(m -> {
            modelInfo.setLabelValues(m.run().toString(), m.recommender().modelName());
            return null;
        });
    }

    private void metrics(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<MetricSnapshot> all = new ArrayList<>();
        registry.scrape().forEach(all::add);
        JVM_METRICS.scrape().forEach(all::add);
        new PrometheusTextFormatWriter(false).write(out, new MetricSnapshots(all));
        ctx.contentType(PrometheusTextFormatWriter.CONTENT_TYPE).result(out.toByteArray());
    }

    @Override
    public void close() {
        app.stop();
        service.close();
    }
}
