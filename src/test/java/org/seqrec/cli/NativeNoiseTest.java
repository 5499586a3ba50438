package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;

/**
 * What separate {@code seqrec} processes print on stderr: no libtorch deprecation warning from a neural
 * train / recommend, no Javalin banner or Jetty INFO from serve, nothing below {@code --log-level}.
 * (Processes, not in-process calls: a native warning is printed once per process and the log level is
 * fixed when the first logger is made.)
 */
class NativeNoiseTest {
    @TempDir Path dir;

    private record Proc(int code, String out, String err) {}

    private Proc seqrec(List<String> jvm, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dseqrec.progress=false"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.seqrec.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        return new Proc(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path tinyData() {
        StringBuilder sb = new StringBuilder();
        long x = 7;
        for (int u = 1; u <= 60; u++) {
            sb.append(u);
            for (int i = 0; i < 6; i++) {
                x = (x * 6364136223846793005L + 1442695040888963407L);
                sb.append(' ').append(1 + Math.floorMod(x >>> 33, 40));
            }
            sb.append('\n');
        }
        return Fixtures.write(dir, "tiny.txt", sb.toString());
    }

    @Test
    void neuralCommandsPrintNoLibtorchDeprecationWarning() throws Exception {
        Path run = dir.resolve("run");
        Proc train = seqrec(List.of(), "train", "--model", "convformer", "--data", tinyData().toString(), "--out", run.toString(),
                "--epochs", "1", "--kernel", "3", "--max-len", "6", "--hidden", "8", "--protocol", "full", "--threads", "1");
        assertThat(train.code()).as(train.err()).isZero();
        assertThat(train.err()).contains("restored the best epoch").doesNotContain("AutoNonVariableTypeMode").doesNotContain("[W");
        Proc rec = seqrec(List.of(), "recommend", "--run", run.toString(), "--history", "1,2,3", "--k", "3");
        assertThat(rec.code()).as(rec.err()).isZero();
        assertThat(rec.err()).doesNotContain("AutoNonVariableTypeMode");
        // --resume restores the optimizer's moments as well as the weights (the same command: the run is finished, so it
        // restores the last checkpoint and stops)
        Proc resume = seqrec(List.of(), "train", "--model", "convformer", "--data", tinyData().toString(), "--out", run.toString(),
                "--epochs", "1", "--kernel", "3", "--max-len", "6", "--hidden", "8", "--protocol", "full", "--threads", "1", "--resume");
        assertThat(resume.code()).as(resume.err()).isZero();
        assertThat(resume.err()).doesNotContain("AutoNonVariableTypeMode").doesNotContain("[W");
    }

    @Test
    void logLevelHidesInfoLines() throws Exception {
        Path log = Fixtures.write(dir, "l.csv", "user_id,item_id,timestamp\nu1,a,1\nu1,b,2\nu1,c,3\n");
        String[] convert = {"data", "convert", "--data", log.toString(), "--out", dir.resolve("l.txt").toString(), "--kcore", "1"};
        Proc info = seqrec(List.of(), convert);
        assertThat(info.code()).as(info.err()).isZero();
        assertThat(info.err()).contains(" INFO DataSource - reading");
        List<String> quiet = new ArrayList<>(List.of("--log-level", "warn"));
        quiet.addAll(List.of(convert));
        Proc warn = seqrec(List.of(), quiet.toArray(String[]::new));
        assertThat(warn.code()).as(warn.err()).isZero();
        assertThat(warn.err()).doesNotContain(" INFO ");
        assertThat(warn.out()).contains("rows read 3, kept 3, rejected 0");
    }

    @Test
    void serveStartsWithoutBannerOrJettyInfo() throws Exception {
        Path run = dir.resolve("pop");
        Proc train = seqrec(List.of(), "train", "--model", "pop", "--data", tinyData().toString(), "--out", run.toString(),
                "--protocol", "full");
        assertThat(train.code()).as(train.err()).isZero();
        String quiet = serveStderr(run, List.of());
        assertThat(quiet).doesNotContain("Javalin").doesNotContain("days old").doesNotContain("INFO org.eclipse.jetty")
                .doesNotContain("INFO Server").doesNotContain("INFO JavalinLogger");
        // the control: with Javalin's logger at INFO the same start prints its banner lines
        String loud = serveStderr(run, List.of("-Dorg.slf4j.simpleLogger.log.io.javalin=info"));
        assertThat(loud).contains("Javalin");
    }

    /** Starts serve on a free port, waits for its "serving" line, stops it, returns its stderr. */
    private String serveStderr(Path run, List<String> jvm) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dseqrec.progress=false"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.seqrec.cli.Main", "serve", "--run", run.toString(),
                "--port", "0"));
        Path err = Files.createTempFile(dir, "serve", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("serving ")) {
                // wait for the start line
            }
            assertThat(line).as(Files.readString(err)).startsWith("serving ");
            Thread.sleep(500); // anything printed just after start-up
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        return Files.readString(err);
    }
}
