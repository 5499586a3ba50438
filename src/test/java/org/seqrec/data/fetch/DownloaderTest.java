package org.seqrec.data.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.TestHttpServer;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

class DownloaderTest {
    private static final byte[] DATA = randomBytes(300_000);
    private static final String SHA = TestHttpServer.sha256(DATA);

    @TempDir Path dir;
    TestHttpServer server;
    Downloader downloader;
    Downloader impatient;
    Path target;

    @BeforeAll
    static void quiet() {
        Progress.setEnabled(false);
    }

    @BeforeEach
    void start() throws IOException {
        server = new TestHttpServer();
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
}
