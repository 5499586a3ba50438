package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Fixtures.CliResult;

/** {@code seqrec loadtest} against URLs that cannot work: a user error, or a failure, never a throughput. */
class LoadTestCommandTest {
    @TempDir Path dir;

    private Path data() {
        StringBuilder sb = new StringBuilder();
        for (int u = 1; u <= 20; u++) {
            sb.append(u);
            for (int i = 0; i < 6; i++) {
                sb.append(' ').append(1 + (u * 3 + i * 7) % 12);
            }
            sb.append('\n');
        }
        return Fixtures.write(dir, "tiny.txt", sb.toString());
    }

    @Test
    void anInvalidUrlIsAUserError() {
        Path data = data();
        Path json = dir.resolve("out.jsonl");
        for (String url : new String[] {"notaurl", "file:///etc/passwd", "http://", "ftp://127.0.0.1:1", "http://127.0.0.1:8080?x=1"}) {
            CliResult r = Fixtures.cli("loadtest", "--url", url, "--data", data.toString(), "--requests", "3",
                    "--warmup", "0", "--json", json.toString());
            assertThat(r.exitCode()).as(url + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(url).contains("seqrec: error: --url");
            assertThat(r.out()).as(url).doesNotContain("req/s");
        }
        assertThat(json).doesNotExist();
    }

    @Test
    void nothingSucceededIsAFailureWithoutAJsonLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort(); // closed again: connections to it are refused
        }
        Path json = dir.resolve("out.jsonl");
        CliResult r = Fixtures.cli("loadtest", "--url", "http://127.0.0.1:" + port, "--data", data().toString(),
                "--requests", "20", "--warmup", "2", "--concurrency", "2", "--json", json.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("seqrec: error: no request").contains("20 errors").contains("ConnectException");
        assertThat(r.out()).doesNotContain("req/s");
        assertThat(Files.exists(json)).isFalse();
    }
}
