package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.Dataset;
import org.seqrec.run.RunDir;
import org.seqrec.run.RunLock;
import org.seqrec.testutil.Fixtures.CliResult;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Manifest;
import org.seqrec.util.Progress;
import org.seqrec.util.SealedFiles;
import org.seqrec.util.SeqrecException;

/**
 * Issue 16, run integrity: damaged, truncated, emptied or non-finite weights and damaged checkpoints
 * are refused by every command with {@code seqrec: error:} and exit 2 (never a stack trace or wrong
 * numbers); a failed train leaves nothing behind; one writer per run; hyper-parameters are checked
 * before anything is written.
 */
class RunIntegrityTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path trained;

    static final String[] MODEL = {"--model", "convformer", "--hidden", "8", "--max-len", "8", "--kernel", "3", "--epochs", "2",
        "--batch", "32", "--threads", "1", "--protocol", "full"};

    @BeforeAll
    static void trainOnce() {
        Progress.setEnabled(false);
        Dataset d = Synthetic.repeatedCycles(40, 30, 4, 6, 12, 5);
        data = dir.resolve("cycles.txt");
        d.writeFmlp(data);
        trained = dir.resolve("trained");
        CliResult r = train(trained);
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    static CliResult train(Path out, String... extra) {
        String[] args = concat(concat(new String[] {"train", "--data", data.toString(), "--out", out.toString()}, MODEL), extra);
        return Fixtures.cli(args);
    }

    /** {@code train} with the model's defaults but for {@code extra} (which may set any flag). */
    static CliResult bare(Path out, String... extra) {
        return Fixtures.cli(concat(new String[] {"train", "--model", "convformer", "--data", data.toString(), "--out", out.toString(),
            "--threads", "1"}, extra));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A fresh copy of the trained run (without its lock file). */
    static Path copy(String name) throws IOException {
        Path to = dir.resolve(name);
        try (var walk = Files.walk(trained)) {
            for (Path p : walk.toList()) {
                Path q = to.resolve(trained.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else if (!p.getFileName().toString().equals(RunLock.FILE)) {
                    Files.copy(p, q);
                }
            }
        }
        return to;
    }

    static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    static void assertRefused(CliResult r, String... words) {
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains("seqrec: error:").doesNotContain("Exception").doesNotContain("\tat ");
        for (String w : words) {
            assertThat(r.err()).contains(w);
        }
    }

    static void assertEveryCommandRefuses(Path run, String... words) {
        assertRefused(Fixtures.cli("recommend", "--run", run.toString(), "--history", "1,2", "--k", "3"), words);
        assertRefused(Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "full", "--threads", "1"), words);
        assertRefused(Fixtures.cli("score", "--run", run.toString(), "--data", data.toString(), "--out",
                run.resolveSibling(run.getFileName() + "-scores.csv").toString()), words);
        assertThatThrownBy(() -> Recommender.load(run)).isInstanceOf(SeqrecException.class);
    }

    @Test
    void truncatedFlippedOrEmptiedWeightsAreRefusedByEveryCommand() throws Exception {
        Path truncated = copy("truncated");
        Path w = truncated.resolve("model/weights.bin");
        truncate(w, Files.size(w) / 2);
        assertEveryCommandRefuses(truncated, "damaged", "model/weights.bin");

        Path flipped = copy("flipped");
        flipByte(flipped.resolve("model/weights.bin"), 1000);
        assertEveryCommandRefuses(flipped, "damaged", "checksum");

        Path emptied = copy("emptied");
        truncate(emptied.resolve("model/weights.bin"), 0);
        assertEveryCommandRefuses(emptied, "damaged");

        Path config = copy("config-edited");
        Files.writeString(config.resolve("config.json"), Files.readString(config.resolve("config.json")).replace("\"kernel\" : 3",
                "\"kernel\" : 5"));
        assertEveryCommandRefuses(config, "config.json");
    }

    /** Without the run's manifest, the weights file's own checksum still catches damage. */
    @Test
    void weightsCarryTheirOwnChecksumWhenTheManifestIsGone() throws Exception {
        Path flipped = copy("flipped-no-manifest");
        Files.delete(flipped.resolve(Manifest.FILE));
        flipByte(flipped.resolve("model/weights.bin"), 1000);
        assertEveryCommandRefuses(flipped, "model weights", "checksum");

        Path cut = copy("cut-no-manifest");
        Files.delete(cut.resolve(Manifest.FILE));
        Path w = cut.resolve("model/weights.bin");
        truncate(w, Files.size(w) - 7); // into the checksum trailer
        assertEveryCommandRefuses(cut, "truncated");
    }

    /** A run saved before manifests and checksums existed still loads and scores the same. */
    @Test
    void runsFromBeforeChecksumsStillLoad() throws Exception {
        Path legacy = copy("legacy");
        Files.delete(legacy.resolve(Manifest.FILE));
        Path w = legacy.resolve("model/weights.bin");
        truncate(w, Files.size(w) - SealedFiles.TRAILER);
        try (Recommender a = Recommender.load(trained); Recommender b = Recommender.load(legacy)) {
            assertThat(b.recommend(List.of("1", "2", "3"), 5)).isEqualTo(a.recommend(List.of("1", "2", "3"), 5));
        }
    }

    /** Weights with a NaN (a diverged model saved with a valid checksum) are refused: never metrics near zero or "NaN" scores. */
    @Test
    void nonFiniteWeightsAreRefused() throws Exception {
        Path nan = copy("nan");
        Path w = nan.resolve("model/weights.bin");
        byte[] payload = Arrays.copyOf(Files.readAllBytes(w), (int) Files.size(w) - SealedFiles.TRAILER);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = NDList.decode(m, payload);
            NDArray first = list.get(0);
            float[] v = first.toFloatArray();
            v[v.length / 2] = Float.NaN;
            NDArray poisoned = m.create(v, first.getShape());
            poisoned.setName(first.getName());
            list.set(0, poisoned);
            SealedFiles.write(w, list.encode());
        }
        new RunDir(nan).writeManifest();
        assertEveryCommandRefuses(nan, "non-finite", "NaN");
    }

    @Test
    void aDamagedCheckpointIsRefusedOnResumeAndSaysHowToStartOver() throws Exception {
        Path adam = copy("ckpt-adam");
        flipByte(adam.resolve("checkpoint/epoch-2/adam.bin"), 500);
        assertRefused(train(adam, "--resume"), "cannot resume", "adam.bin", "remove");

        Path escape = copy("ckpt-escape");
        Path state = escape.resolve("checkpoint/state.json");
        Files.writeString(state, Files.readString(state).replace("epoch-2", "../../trained/checkpoint/epoch-2"));
        assertRefused(train(escape, "--resume"), "state.json");

        Path garbage = copy("ckpt-garbage-history");
        Files.delete(garbage.resolve("checkpoint/epoch-2/" + Manifest.FILE)); // as an older seqrec wrote it
        Files.writeString(garbage.resolve("checkpoint/epoch-2/history.jsonl"), "{\"epoch\":1}\nnot json\n");
        assertRefused(train(garbage, "--resume"), "history.jsonl");

        Path badState = copy("ckpt-bad-state");
        Files.writeString(badState.resolve("checkpoint/state.json"), "{\"epoch\": 2, \"checkpo");
        assertRefused(train(badState, "--resume"), "state.json", "damaged");

        Path weights = copy("ckpt-weights");
        Path w = weights.resolve("checkpoint/epoch-2/weights.bin");
        truncate(w, 10);
        assertRefused(train(weights, "--resume"), "cannot resume");
    }

    @Test
    void plotRefusesAGarbageHistoryLineWithItsNumber() throws Exception {
        Path run = copy("plot-garbage");
        Files.writeString(run.resolve("history.jsonl"), "garbage\n", java.nio.file.StandardOpenOption.APPEND);
        assertRefused(Fixtures.cli("plot", "--runs", run.toString(), "--out", dir.resolve("curves").toString()), "history.jsonl:3:");
    }

    @Test
    void resumeRemovesTemporariesLeftByAKill() throws Exception {
        Path run = copy("stale");
        Path t1 = Files.writeString(run.resolve("checkpoint/.state.json.123.tmp"), "{");
        Path t2 = Files.writeString(run.resolve("checkpoint/epoch-2/.weights.bin.77.tmp"), "x");
        CliResult r = train(run, "--resume");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(t1).doesNotExist();
        assertThat(t2).doesNotExist();
        assertThat(Manifest.verify(run, "run")).contains("model/weights.bin", "config.json");
    }

    @Test
    void aFailedTrainLeavesNothingThatBlocksTheCorrectedCommand() throws Exception {
        Path out = dir.resolve("failed");
        assertRefused(bare(out, "--batch", "0"), "batch");
        assertThat(out).doesNotExist();
        assertRefused(Fixtures.cli("train", "--model", "convformer", "--data", dir.resolve("missing.txt").toString(), "--out",
                out.toString()), "not found");
        assertThat(out).doesNotExist();
        // fails inside the model, after the directory was created and the data read
        assertRefused(train(out, "--padding", "sideways"), "padding");
        assertThat(out).doesNotExist();
        Files.createDirectories(out); // an empty directory made by the user is kept, and emptied again
        assertRefused(train(out, "--padding", "sideways"), "padding");
        assertThat(out).isDirectory();
        try (var list = Files.list(out)) {
            assertThat(list.filter(p -> !p.getFileName().toString().equals(RunLock.FILE)).toList()).isEmpty();
        }
        CliResult ok = train(out);
        assertThat(ok.exitCode()).as(ok.err()).isZero();
    }

    @Test
    void oneWriterPerRun() throws Exception {
        Path run = copy("locked");
        try (RunLock held = RunLock.acquire(run)) {
            assertRefused(train(run, "--resume"), "in use");
            assertRefused(Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "full"), "in use");
            assertRefused(train(run, "--overwrite"), "in use");
            assertThat(run.resolve("model/weights.bin")).exists(); // the refused --overwrite deleted nothing
        }
        CliResult r = Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "full", "--threads", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @Test
    void nonsenseHyperParametersAreRefusedBeforeAnythingIsWritten() {
        Path out = dir.resolve("nonsense");
        String[][] cases = {{"--hidden", "0"}, {"--dropout", "1.5"}, {"--dropout", "-0.1"}, {"--weight-decay", "-1"},
            {"--layers", "0"}, {"--param", "kernel=abc"}, {"--hidden", "100000000"}, {"--lr", "0"}, {"--param", "select=HR@0"}, {"--param", "select=AUC"},
            {"--patience", "-3"}, {"--param", "hiden=8"}};
        for (String[] c : cases) {
            CliResult r = bare(out, c);
            assertRefused(r);
            assertThat(r.err()).as(String.join(" ", c)).contains(c[0].equals("--param") ? c[1].substring(0, c[1].indexOf('='))
                    : c[0].substring(2).replace('-', '_'));
            assertThat(out).as(String.join(" ", c)).doesNotExist();
        }
    }

    @Test
    void selectNoneSkipsValidationAndKeepsTheLastEpoch() throws Exception {
        Path out = dir.resolve("novalid");
        CliResult r = bare(out, "--hidden", "8", "--max-len", "6", "--kernel", "3", "--epochs", "3", "--patience", "1", "--protocol", "full",
                "--param", "select=none", "--no-eval");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out.resolve("history.jsonl"));
        assertThat(lines).hasSize(3); // patience 1 never stops it: every epoch is the newest best
        for (String line : lines) {
            com.fasterxml.jackson.databind.JsonNode h = org.seqrec.util.Json.MAPPER.readTree(line);
            assertThat(h.path("valid").isEmpty()).as(line).isTrue();
            assertThat(h.path("eval_seconds").asDouble()).isZero();
        }
        assertThat(org.seqrec.util.Json.MAPPER.readTree(lines.get(2)).path("best_epoch").asInt()).isEqualTo(3);
        // the model saved is the last epoch's: the weights of the final checkpoint
        assertThat(Files.readAllBytes(out.resolve("model/weights.bin")))
                .isEqualTo(Files.readAllBytes(out.resolve("checkpoint/epoch-3/weights.bin")));
    }

    @Test
    void experimentDryRunValidatesEveryRun() throws Exception {
        Path bad = Fixtures.write(dir, "bad.yaml", "name: bad\ndata: [" + data + "]\nmodels:\n  - model: convformer\n"
                + "    params: {kernel: 3}\n    grid: {dropout: [0.1, 1.5]}\n");
        CliResult r = Fixtures.cli("experiment", bad.toString(), "--dry-run");
        assertRefused(r, "dropout", "1.5");
        Path typo = Fixtures.write(dir, "typo.yaml", "name: typo\ndata: [" + data + "]\nmodels:\n  - model: convformer\n"
                + "    params: {kernle: 3}\n");
        assertRefused(Fixtures.cli("experiment", typo.toString(), "--dry-run"), "kernle");
        Path noSeeds = Fixtures.write(dir, "seeds.yaml", "name: seeds\ndata: [" + data + "]\nseeds: []\nmodels:\n  - model: pop\n");
        assertRefused(Fixtures.cli("experiment", noSeeds.toString(), "--dry-run"), "seeds");
    }

    @Test
    void sealedFilesRefuseEveryTruncationAndFlip() throws Exception {
        Path f = dir.resolve("sealed.bin");
        byte[] payload = new byte[300];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        SealedFiles.write(f, payload);
        assertThat(SealedFiles.read(f, "test file").payload()).isEqualTo(payload);
        assertThat(SealedFiles.read(f, "test file").sealed()).isTrue();
        byte[] whole = Files.readAllBytes(f);
        for (int at = 0; at < whole.length; at += 13) {
            byte[] b = whole.clone();
            b[at] ^= 1;
            Files.write(f, b);
            assertThatThrownBy(() -> SealedFiles.read(f, "test file")).as("flip at %d", at).isInstanceOf(SeqrecException.class)
                    .hasMessageContaining("damaged");
        }
        // a cut that leaves the magic visible is refused; one that removes it leaves an unsealed payload (a legacy file)
        for (int cut = 1; cut <= SealedFiles.TRAILER; cut++) {
            Files.write(f, Arrays.copyOf(whole, whole.length - cut));
            if (cut <= 32) {
                int c = cut;
                assertThatThrownBy(() -> SealedFiles.read(f, "test file")).as("cut %d", c).isInstanceOf(SeqrecException.class);
            } else {
                assertThat(SealedFiles.read(f, "test file").sealed()).isFalse();
            }
        }
        Files.write(f, new byte[0]);
        assertThatThrownBy(() -> SealedFiles.read(f, "test file")).hasMessageContaining("empty");
    }

    @Test
    void manifestsNameTheFileThatChangedAndRefuseEscapes() throws Exception {
        Path d = Files.createDirectories(dir.resolve("manifested"));
        Files.writeString(d.resolve("a.txt"), "alpha");
        Files.writeString(d.resolve("b.txt"), "beta");
        Manifest.write(d, List.of("a.txt", "b.txt", "absent.txt"));
        assertThat(Manifest.verify(d, "dir")).containsExactly("a.txt", "b.txt");
        Files.writeString(d.resolve("b.txt"), "betA");
        assertThatThrownBy(() -> Manifest.verify(d, "dir")).hasMessageContaining("b.txt").hasMessageContaining("checksum");
        Files.delete(d.resolve("b.txt"));
        assertThatThrownBy(() -> Manifest.verify(d, "dir")).hasMessageContaining("b.txt").hasMessageContaining("missing");
        Files.writeString(d.resolve(Manifest.FILE), "{\"files\":[{\"path\":\"../x\",\"bytes\":1,\"sha256\":\"\"}]}");
        assertThatThrownBy(() -> Manifest.verify(d, "dir")).hasMessageContaining("outside");
        Files.writeString(d.resolve(Manifest.FILE), "{\"files\":");
        assertThatThrownBy(() -> Manifest.verify(d, "dir")).hasMessageContaining("not valid JSON");
    }

    @Test
    void atomicWritesKeepTheOldFileWhenTheWriterFails() throws Exception {
        Path f = dir.resolve("atomic/target.txt");
        org.seqrec.util.AtomicFiles.writeString(f, "old content");
        assertThatThrownBy(() -> org.seqrec.util.AtomicFiles.write(f, out -> {
            out.write("new partial".getBytes());
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(Files.readString(f)).isEqualTo("old content");
        try (var list = Files.list(f.getParent())) {
            assertThat(list.map(p -> p.getFileName().toString()).sorted(Comparator.naturalOrder()).toList())
                    .containsExactly("target.txt");
        }
    }

    @Test
    void theTrainerCommitsAManifestWithEveryCheckpoint() throws Exception {
        Path ckpt = trained.resolve("checkpoint/epoch-2");
        assertThat(Manifest.verify(ckpt, "checkpoint")).containsExactlyInAnyOrderElementsOf(Trainer.CHECKPOINT_FILES);
    }
}
