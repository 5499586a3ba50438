package org.seqrec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.run.Popularity;
import org.seqrec.run.RunDir;
import org.seqrec.testutil.Fixtures.CliResult;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.Json;
import org.seqrec.util.Manifest;

/**
 * Promises of the README that had no test (issue 24), each checked against an independent
 * computation: a hand-written dataset with hand-counted popularity, the history's own best epoch, a
 * real killed process.
 */
class ReadmeClaimsTest {
    @TempDir Path dir;

    /**
     * Four users; leave-one-out keeps all but the last two items of each for training, so the training
     * counts are (by hand): a 4, b 3, c 2, d 1, e 0, f 0 (e and f appear only as valid/test items).
     */
    private Path handCountedData() {
        return Fixtures.write(dir, "hand.csv", "user,item,time\n"
                + "u1,a,1\nu1,b,2\nu1,c,3\nu1,e,4\nu1,f,5\n"
                + "u2,a,1\nu2,b,2\nu2,e,3\nu2,f,4\n"
                + "u3,a,1\nu3,c,2\nu3,b,3\nu3,f,4\nu3,e,5\n"
                + "u4,a,1\nu4,d,2\nu4,e,3\nu4,f,4\n");
    }

    private CliResult trainPop(Path data, Path run) {
        return Fixtures.cli("train", "--model", "pop", "--data", data.toString(), "--user-col", "user", "--item-col", "item",
                "--time-col", "time", "--kcore", "1", "--out", run.toString(), "--protocol", "full");
    }

    @Test
    void thePopularityFallbackIsTheMostPopularTrainingItemsInOrder() throws Exception {
        Path run = dir.resolve("pop");
        CliResult r = trainPop(handCountedData(), run);
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (Recommender rec = Recommender.load(run)) {
            Recommender.Result empty = rec.recommend(List.of(), 4);
            assertThat(empty.popularityFallback()).isTrue();
            assertThat(empty.items()).extracting(Recommender.Item::id).containsExactly("a", "b", "c", "d");
            assertThat(empty.items()).extracting(Recommender.Item::score).containsExactly(4f, 3f, 2f, 1f);
            Recommender.Result unknown = rec.recommend(List.of("zz"), 2);
            assertThat(unknown.popularityFallback()).isTrue();
            assertThat(unknown.items()).extracting(Recommender.Item::id).containsExactly("a", "b");
        }
        // a run saved before popularity.tsv existed: counted again from its data file, same order
        Files.delete(new RunDir(run).popularity());
        Files.delete(run.resolve(Manifest.FILE));
        try (Recommender rec = Recommender.load(run)) {
            assertThat(rec.recommend(List.of(), 4).items()).extracting(Recommender.Item::id).containsExactly("a", "b", "c", "d");
        }
        CliResult cli = Fixtures.cli("recommend", "--run", run.toString(), "--history", "", "--k", "3");
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).containsSubsequence("a", "b", "c");
    }

    @Test
    void evaluateRefusesARunWhoseDataFingerprintChanged() throws Exception {
        Path data = handCountedData();
        Path run = dir.resolve("fp");
        assertThat(trainPop(data, run).exitCode()).isZero();
        Files.writeString(data, Files.readString(data) + "u5,a,9\nu5,b,10\nu5,c,11\n");
        CliResult r = Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "full");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("seqrec: error:").contains("has changed since");
    }

    @Test
    void earlyStoppingRestoresTheBestEpochBeforeTheTest() throws Exception {
        Path data = dir.resolve("cycles.txt");
        org.seqrec.testutil.Synthetic.random(60, 40, 5, 12, 3).writeFmlp(data); // no pattern: validation peaks early
        Path run = dir.resolve("early");
        CliResult r = Fixtures.cli("train", "--model", "convformer", "--data", data.toString(), "--out", run.toString(),
                "--hidden", "16", "--max-len", "8", "--kernel", "3", "--epochs", "30", "--patience", "2", "--lr", "0.05",
                "--batch", "16", "--protocol", "full", "--threads", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<JsonNode> history = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("history.jsonl"))) {
            history.add(Json.MAPPER.readTree(line));
        }
        int best = history.get(history.size() - 1).path("best_epoch").asInt();
        assertThat(history).as("early stopping happened after the best epoch").hasSize(best + 2);
        JsonNode bestValid = history.get(best - 1).path("valid");
        JsonNode lastValid = history.get(history.size() - 1).path("valid");
        assertThat(lastValid.path("MRR").asDouble()).isLessThan(bestValid.path("MRR").asDouble());
        // the saved model and the test metrics are the best epoch's: its validation scores again exactly
        JsonNode results = Json.read(run.resolve("results-full.json"));
        assertThat(results.path("valid").path("MRR").asDouble()).isEqualTo(bestValid.path("MRR").asDouble());
        assertThat(results.path("valid").path("HR@10").asDouble()).isEqualTo(bestValid.path("HR@10").asDouble());
    }

    /**
     * A real process killed with SIGKILL after its first committed epoch, then {@code train --resume}:
     * the run ends with the same weights and test metrics as one trained without interruption. (Whether
     * the kill lands in epoch 2 or later does not matter to the assertion; the process is only required
     * to have committed epoch 1 and not finished.)
     */
    @Test
    void resumeThroughTheCliAfterAKillEndsWithTheSameRun() throws Exception {
        Path data = dir.resolve("cycles.txt");
        org.seqrec.testutil.Synthetic.repeatedCycles(200, 60, 5, 8, 20, 4).writeFmlp(data);
        String[] args = {"train", "--model", "convformer", "--data", data.toString(), "--hidden", "16", "--max-len", "12",
            "--kernel", "3", "--epochs", "8", "--patience", "8", "--batch", "16", "--protocol", "full", "--threads", "1", "-q"};
        Path straight = dir.resolve("straight");
        assertThat(Fixtures.cli(concat(args, "--out", straight.toString())).exitCode()).isZero();

        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "org.seqrec.cli.Main"));
        cmd.addAll(List.of(concat(args, "--out", killed.toString())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path state = killed.resolve("checkpoint/state.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && !Files.isRegularFile(state) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        boolean wasAlive = p.isAlive();
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(wasAlive).as("the process was still training when killed; log: %s", dir.resolve("killed.log")).isTrue();
        assertThat(killed.resolve(Manifest.FILE)).doesNotExist();
        CliResult resumed = Fixtures.cli(concat(args, "--out", killed.toString(), "--resume"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(Files.readAllBytes(killed.resolve("model/weights.bin"))).isEqualTo(Files.readAllBytes(straight.resolve("model/weights.bin")));
        assertThat(Json.read(killed.resolve("results-full.json")).path("test"))
                .isEqualTo(Json.read(straight.resolve("results-full.json")).path("test"));
        assertThat(Files.readAllLines(killed.resolve("history.jsonl"))).hasSize(Files.readAllLines(straight.resolve("history.jsonl")).size());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
