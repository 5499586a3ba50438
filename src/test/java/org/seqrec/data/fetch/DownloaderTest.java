package org.seqrec.data.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.util.Hashing;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

class DownloaderTest {
    private static final byte[] DATA = randomBytes(300_000);
    private static final String SHA = sha256(DATA);

    @TempDir Path dir;
    TestServer server;
    Downloader downloader;
    Downloader impatient;
    Path target;

    @BeforeAll
    static void quiet() {
        Progress.setEnabled(false);
    }

    @BeforeEach
    void start() throws IOException {
        server = new TestServer();
        server.files.put("/data.bin", DATA);
        // transfers that must succeed get generous timeouts, so a busy machine cannot fail them; the
        // stall tests use short ones, and their server never sends more until the test ends, so the
        // timeout fires however slow the machine is (their outcome depends on the server's events, not on time)
        downloader = new Downloader(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60));
        impatient = new Downloader(Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(2));
        target = dir.resolve("data.bin");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void downloadsAndVerifies() throws IOException {
        Downloader.Result r = downloader.download(server.uri("/data.bin"), target, SHA.toUpperCase());
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
        assertThat(r.verified()).isTrue();
        assertThat(r.downloaded()).isTrue();
        assertThat(r.resumed()).isFalse();
        assertThat(r.sha256()).isEqualTo(SHA);
        assertThat(r.bytesTransferred()).isEqualTo(DATA.length);
        assertThat(Downloader.partFile(target)).doesNotExist();
        assertThat(server.ranges()).containsExactly("/data.bin null");
    }

    @Test
    void withoutChecksumReportsTheHashUnverified() {
        Downloader.Result r = downloader.download(server.uri("/data.bin"), target, null);
        assertThat(r.verified()).isFalse();
        assertThat(r.sha256()).isEqualTo(SHA);
        assertThat(target).exists();
    }

    @Test
    void checksumMismatchKeepsNothing() {
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> downloader.download(server.uri("/data.bin"), target, wrong))
                .isInstanceOf(SeqrecException.class)
                .hasMessageContaining(server.uri("/data.bin").toString())
                .hasMessageContaining("expected sha256 " + wrong)
                .hasMessageContaining("got " + SHA);
        assertThat(target).doesNotExist();
        assertThat(Downloader.partFile(target)).doesNotExist();
    }

    @Test
    void resumesAPartialFileWithARangeRequest() throws IOException {
        Files.write(Downloader.partFile(target), Arrays.copyOf(DATA, 100_000));
        Downloader.Result r = downloader.download(server.uri("/data.bin"), target, SHA);
        assertThat(server.ranges()).containsExactly("/data.bin bytes=100000-");
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
        assertThat(r.resumed()).isTrue();
        assertThat(r.bytesTransferred()).isEqualTo(DATA.length - 100_000);
        assertThat(Downloader.partFile(target)).doesNotExist();
    }

    @Test
    void startsOverWhenTheServerIgnoresRanges() throws IOException {
        byte[] junk = new byte[100_000];
        Arrays.fill(junk, (byte) 'x');
        Files.write(Downloader.partFile(target), junk);
        Downloader.Result r = downloader.download(server.uri("/norange/data.bin"), target, SHA);
        assertThat(server.ranges()).containsExactly("/norange/data.bin bytes=100000-");
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
        assertThat(r.resumed()).isFalse();
        assertThat(r.bytesTransferred()).isEqualTo(DATA.length);
    }

    @Test
    void aCompletePartFileIsFinishedWithoutTransfer() throws IOException {
        Files.write(Downloader.partFile(target), DATA);
        Downloader.Result r = downloader.download(server.uri("/data.bin"), target, SHA);
        assertThat(server.ranges()).containsExactly("/data.bin bytes=" + DATA.length + "-");
        assertThat(r.bytesTransferred()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
    }

    @Test
    void anExistingMatchingFileIsNotDownloadedAgain() throws IOException {
        Files.write(target, DATA);
        Downloader.Result r = downloader.download(server.uri("/data.bin"), target, SHA);
        assertThat(r.downloaded()).isFalse();
        assertThat(r.verified()).isTrue();
        assertThat(server.requests.get()).isZero();
    }

    @Test
    void anExistingMismatchingFileIsReplaced() throws IOException {
        Files.writeString(target, "stale");
        downloader.download(server.uri("/data.bin"), target, SHA);
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
    }

    @Test
    void httpErrorsNameTheUrlAndStatus() {
        URI missing = server.uri("/missing.bin");
        assertThatThrownBy(() -> downloader.download(missing, target, null))
                .isInstanceOf(SeqrecException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("HTTP 404 Not Found");
        assertThat(target).doesNotExist();
    }

    @Test
    void aStalledBodyTimesOutAndTheNextRunResumes() throws IOException {
        URI stall = server.uri("/stall-body/data.bin");
        assertThatThrownBy(() -> impatient.download(stall, target, SHA))
                .isInstanceOf(SeqrecException.class)
                .hasMessageContaining(stall.toString())
                .hasMessageContaining("timed out")
                .hasMessageContaining("resume");
        assertThat(target).doesNotExist();
        long have = Files.size(Downloader.partFile(target));
        assertThat(have).isEqualTo(DATA.length / 2);

        Downloader.Result r = downloader.download(server.uri("/data.bin"), target, SHA);
        assertThat(server.ranges()).contains("/data.bin bytes=" + have + "-");
        assertThat(r.resumed()).isTrue();
        assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
    }

    @Test
    void noResponseTimesOut() {
        URI stall = server.uri("/stall-headers/data.bin");
        assertThatThrownBy(() -> impatient.download(stall, target, null))
                .isInstanceOf(SeqrecException.class)
                .hasMessageContaining(stall.toString())
                .hasMessageContaining("timed out");
        assertThat(server.ranges()).containsExactly("/stall-headers/data.bin null");
        assertThat(target).doesNotExist();
    }

    @Test
    void rejectsMalformedChecksumsAndSchemes() {
        assertThatThrownBy(() -> downloader.download(server.uri("/data.bin"), target, "abc"))
                .isInstanceOf(SeqrecException.class).hasMessageContaining("SHA-256");
        assertThatThrownBy(() -> downloader.download(URI.create("ftp://127.0.0.1/x"), target, null))
                .isInstanceOf(SeqrecException.class).hasMessageContaining("http");
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    static String sha256(byte[] data) {
        java.security.MessageDigest d = Hashing.sha256();
        d.update(data);
        return Hashing.hex(d);
    }

    /**
     * A loopback HTTP server for tests. {@code /PATH} serves {@code files.get("/PATH")} with Range
     * support; {@code /norange/PATH} ignores Range and replies chunked without a length;
     * {@code /stall-body/PATH} sends half the file, then stalls; {@code /stall-headers/PATH} never
     * answers. Unknown paths get a 404.
     */
    static final class TestServer implements AutoCloseable {
        private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        final AtomicInteger requests = new AtomicInteger();
        private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
        private final CountDownLatch release = new CountDownLatch(1);
        private final HttpServer http;
        private final ExecutorService pool = Executors.newCachedThreadPool();

        TestServer() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.setExecutor(pool);
            http.createContext("/", this::handle);
            http.start();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
        }

        /** "PATH RANGE-HEADER" of every request, in order. */
        List<String> ranges() {
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
}
