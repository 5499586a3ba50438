package org.seqrec.data.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ProgressBar;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Hashing;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one file over HTTP(S) so that the target appears whole and verified, or not at all.
 *
 * <ul>
 *   <li>Bytes go to {@code TARGET.part} beside the target; redirects are followed.</li>
 *   <li>An existing {@code .part} (from an interrupted run) is resumed with {@code Range: bytes=N-}:
 *       a {@code 206} reply is appended, a {@code 200} reply (the server ignores ranges) starts the
 *       file over, and a {@code 416} reply whose total length equals the {@code .part} means it was
 *       already complete.</li>
 *   <li>When the transfer breaks (network error, read timeout, fewer bytes than announced) the
 *       {@code .part} is kept so the next run resumes it.</li>
 *   <li>The finished {@code .part} is hashed; with an expected SHA-256 it is renamed to the target
 *       only when the hash matches, and deleted otherwise. Without one, the computed hash is returned
 *       as <em>not verified</em>.</li>
 * </ul>
 * Failures are {@link SeqrecException}s that name the URL (and the HTTP status or checksums).
 */
public final class Downloader {
    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)");
    private static final Map<Integer, String> REASONS = Map.of(400, "Bad Request", 401, "Unauthorized", 403,
            "Forbidden", 404, "Not Found", 410, "Gone", 429, "Too Many Requests", 500, "Internal Server Error", 502,
            "Bad Gateway", 503, "Service Unavailable", 504, "Gateway Timeout");

    /**
     * What a download did.
     *
     * @param file the final file
     * @param sha256 its SHA-256
     * @param verified true when it matched an expected SHA-256; false when none was given
     * @param downloaded false when an existing target was reused without any request
     * @param bytesTransferred bytes received over the network in this call
     * @param resumed true when a partial {@code .part} file was continued with a range request
     */
    public record Result(Path file, String sha256, boolean verified, boolean downloaded, long bytesTransferred,
            boolean resumed) {}

    private final HttpClient client;
    private final Duration responseTimeout;
    private final Duration idleTimeout;

    /** A downloader with 30 s to connect, 60 s to the response headers and at most 60 s without data. */
    public Downloader() {
        this(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    /**
     * @param connectTimeout limit for opening the connection
     * @param responseTimeout limit from sending the request to receiving the response headers
     * @param idleTimeout longest wait for the next bytes of the body
     */
    public Downloader(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.responseTimeout = responseTimeout;
        this.idleTimeout = idleTimeout;
    }

    /** The partial-download file used for {@code target}: {@code TARGET.part}. */
    public static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * Downloads {@code url} to {@code target}, unless the target already exists and matches
     * {@code expectedSha256} (or exists and no checksum is expected).
     *
     * @param expectedSha256 lower- or upper-case hex SHA-256, or null to skip verification
     */
    public Result download(URI url, Path target, String expectedSha256) {
        String expected = DatasetCatalog.normalizeSha256(expectedSha256);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new SeqrecException("cannot download " + url + ": only http and https URLs are supported");
        }
        if (Files.isRegularFile(target)) {
            String actual = Hashing.sha256(target);
            if (expected == null || expected.equals(actual)) {
                LOG.info("{} already present (sha256 {}), not downloading", target, actual);
                return new Result(target, actual, expected != null, false, 0, false);
            }
            LOG.warn("{} exists but its sha256 {} is not the expected {}; downloading it again", target, actual,
                    expected);
        }
        Path part = partFile(target);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target.toAbsolutePath().getParent() + ": "
                    + e.getMessage(), e);
        }
        Transfer t = transfer(url, part);
        String actual = Hashing.sha256(part);
        if (expected != null && !expected.equals(actual)) {
            deleteQuietly(part);
            throw new SeqrecException("checksum mismatch for " + url + ": expected sha256 " + expected + ", got "
                    + actual + "; the download was deleted (the file changed upstream, the mirror serves another "
                    + "file, or the transfer was corrupted)");
        }
        try {
            AtomicFiles.moveAtomically(part, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + part + " to " + target + ": " + e.getMessage(), e);
        }
        return new Result(target, actual, expected != null, true, t.bytes, t.resumed);
    }

    private record Transfer(long bytes, boolean resumed) {}

    /** Fills {@code part} with the whole file, resuming it where possible. */
    private Transfer transfer(URI url, Path part) {
        long have = sizeOf(part);
        HttpResponse<InputStream> resp = send(url, have);
        int status = resp.statusCode();
        boolean append = false;
        if (have > 0 && status == 206) {
            long start = contentRangeStart(resp);
            if (start == have) {
                append = true;
            } else {
                LOG.warn("{} answered the range request from byte {} with bytes from {}; starting over", url, have,
                        start);
                resp = restart(url, part, resp);
                status = resp.statusCode();
            }
        } else if (have > 0 && status == 416) {
            OptionalLong total = unsatisfiedRangeTotal(resp);
            closeQuietly(resp.body());
            if (total.isPresent() && total.getAsLong() == have) {
                LOG.info("{} was already complete ({} bytes)", part, have);
                return new Transfer(0, true);
            }
            LOG.warn("{} cannot be resumed from byte {} (HTTP 416); starting over", url, have);
            resp = restart(url, part, null);
            status = resp.statusCode();
        } else if (have > 0 && status == 200) {
            LOG.info("{} ignores range requests; downloading the whole file again", url);
        }
        if (status != 200 && !(append && status == 206)) {
            closeQuietly(resp.body());
            throw httpError(url, status);
        }
        if (append) {
            LOG.info("resuming {} at byte {}", url, have);
        }
        return new Transfer(copyBody(url, resp, part, append ? have : 0), append);
    }

    private HttpResponse<InputStream> restart(URI url, Path part, HttpResponse<InputStream> previous) {
        if (previous != null) {
            closeQuietly(previous.body());
        }
        deleteQuietly(part);
        return send(url, 0);
    }

    /** Streams the body into {@code part} (appending after {@code offset} bytes); returns the bytes received. */
    private long copyBody(URI url, HttpResponse<InputStream> resp, Path part, long offset) {
        OptionalLong length = resp.headers().firstValueAsLong("content-length");
        long total = length.isPresent() ? offset + length.getAsLong() : -1;
        long received = 0;
        StandardOpenOption mode = offset > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        Watchdog watchdog = new Watchdog(resp.body(), idleTimeout);
        try (InputStream in = resp.body();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
                ProgressBar bar = Progress.bar("download " + part.getFileName().toString().replaceAll("\\.part$", ""),
                        total, "B")) {
            bar.stepTo(offset);
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                watchdog.progress();
                out.write(buf, 0, n);
                received += n;
                bar.stepBy(n);
            }
        } catch (IOException e) {
            if (watchdog.fired()) {
                throw new SeqrecException("download of " + url + " timed out: no data for " + idleTimeout.toSeconds()
                        + " s after " + (offset + received) + " bytes; run the command again to resume from " + part, e);
            }
            throw new SeqrecException("download of " + url + " failed after " + (offset + received) + " bytes: "
                    + e.getMessage() + "; run the command again to resume from " + part, e);
        } finally {
            watchdog.stop();
        }
        if (watchdog.fired()) {
            throw new SeqrecException("download of " + url + " timed out: no data for " + idleTimeout.toSeconds()
                    + " s after " + (offset + received) + " bytes; run the command again to resume from " + part);
        }
        if (length.isPresent() && received != length.getAsLong()) {
            throw new SeqrecException("download of " + url + " ended after " + received + " of " + length.getAsLong()
                    + " bytes; run the command again to resume from " + part);
        }
        return received;
    }

    private HttpResponse<InputStream> send(URI url, long from) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(responseTimeout).header("User-Agent", "seqrec")
                .GET();
        if (from > 0) {
            b.header("Range", "bytes=" + from + "-");
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new SeqrecException("cannot download " + url + ": connection timed out", e);
        } catch (HttpTimeoutException e) {
            throw new SeqrecException("cannot download " + url + ": no response within " + responseTimeout.toSeconds()
                    + " s (timed out)", e);
        } catch (ConnectException e) {
            throw new SeqrecException("cannot download " + url + ": cannot connect to " + url.getHost()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        } catch (IOException e) {
            throw new SeqrecException("cannot download " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SeqrecException("download of " + url + " interrupted", e);
        }
    }

    private static SeqrecException httpError(URI url, int status) {
        String reason = REASONS.get(status);
        return new SeqrecException("cannot download " + url + ": HTTP " + status + (reason == null ? "" : " " + reason)
                + (status >= 300 && status < 400 ? " (redirect not followed)" : ""));
    }

    /** The first byte of a 206 reply's {@code Content-Range}; -1 when missing or malformed. */
    private static long contentRangeStart(HttpResponse<?> resp) {
        Matcher m = CONTENT_RANGE.matcher(resp.headers().firstValue("content-range").orElse(""));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The complete length from a 416 reply's {@code Content-Range: bytes *}{@code /LENGTH}. */
    private static OptionalLong unsatisfiedRangeTotal(HttpResponse<?> resp) {
        Matcher m = UNSATISFIED_RANGE.matcher(resp.headers().firstValue("content-range").orElse(""));
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    private static long sizeOf(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is being abandoned anyway
        }
    }

    /**
     * Closes a response body that has produced no bytes for too long: the HTTP client's timeout
     * only covers the wait for the response headers, not a stalled body.
     */
    private static final class Watchdog {
        private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "seqrec-download-watchdog");
            t.setDaemon(true);
            return t;
        });

        private final InputStream body;
        private final long idleNanos;
        private final ScheduledFuture<?> task;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean fired;

        Watchdog(InputStream body, Duration idle) {
            this.body = body;
            this.idleNanos = idle.toNanos();
            long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
            this.task = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        void stop() {
            task.cancel(false);
        }

        private void check() {
            if (!fired && System.nanoTime() - lastProgress > idleNanos) {
                fired = true;
                closeQuietly(body);
                task.cancel(false);
            }
        }
    }
}
