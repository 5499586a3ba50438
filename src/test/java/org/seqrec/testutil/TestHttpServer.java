package org.seqrec.testutil;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.seqrec.util.Hashing;

/** A loopback HTTP server for download tests (ranges, failures, slow bodies), and the SHA-256 they check. */
public final class TestHttpServer implements AutoCloseable {
    public static String sha256(byte[] data) {
        java.security.MessageDigest d = Hashing.sha256();
        d.update(data);
        return Hashing.hex(d);
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    public final Map<String, byte[]> files = new ConcurrentHashMap<>();
    public final AtomicInteger requests = new AtomicInteger();
    private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer http;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    public TestHttpServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(pool);
        http.createContext("/", this::handle);
        http.start();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
    }

    /** "PATH RANGE-HEADER" of every request, in order. */
    public List<String> ranges() {
        synchronized (ranges) {
            return List.copyOf(ranges);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            String path = ex.getRequestURI().getPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            ranges.add(path + " " + range);
            if (path.startsWith("/stall-headers/")) {
                await();
                ex.sendResponseHeaders(503, -1);
                return;
            }
            boolean noRange = path.startsWith("/norange/");
            boolean stall = path.startsWith("/stall-body/");
            byte[] body = files.get(noRange || stall ? path.substring(path.indexOf('/', 1)) : path);
            if (body == null) {
                byte[] msg = "not found".getBytes();
                ex.sendResponseHeaders(404, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            if (stall) {
                ex.sendResponseHeaders(200, body.length);
                OutputStream out = ex.getResponseBody();
                out.write(body, 0, body.length / 2);
                out.flush();
                await();
                return;
            }
            if (noRange) {
                ex.sendResponseHeaders(200, 0); // chunked: no Content-Length
                ex.getResponseBody().write(body);
                return;
            }
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m != null && m.matches()) {
                int start = Integer.parseInt(m.group(1));
                if (start >= body.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range",
                        "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
                ex.sendResponseHeaders(206, body.length - start);
                ex.getResponseBody().write(body, start, body.length - start);
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    /** Stalls until the test ends ({@link #close}); the cap only ends a test whose client never gives up. */
    private void await() {
        try {
            release.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release.countDown();
        http.stop(0);
        pool.shutdownNow();
    }
}
