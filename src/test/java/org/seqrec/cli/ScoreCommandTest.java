package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.Dataset;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Synthetic;

/** {@code seqrec score}: k rows per user, in original ids, the same as the Java API, history items excluded. */
class ScoreCommandTest {
    @TempDir Path dir;

    @Test
    void writesTopKForEveryUserAsTheRecommenderDoes() throws Exception {
        Dataset d = Synthetic.repeatedCycles(30, 25, 4, 6, 10, 9);
        Path data = dir.resolve("cycles.txt");
        d.writeFmlp(data);
        Path run = dir.resolve("run");
        assertThat(Fixtures.cli("train", "--model", "convformer", "--data", data.toString(), "--out", run.toString(), "--hidden", "16",
                "--max-len", "8", "--kernel", "3", "--epochs", "1", "--protocol", "full", "--no-eval").exitCode()).isZero();
        Path out = dir.resolve("recs.csv");
        Fixtures.CliResult res = Fixtures.cli("score", "--run", run.toString(), "--data", data.toString(), "--k", "4", "--out",
                out.toString(), "--batch", "7");
        assertThat(res.exitCode()).as(res.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("user,rank,item,score");
        assertThat(lines).hasSize(1 + 30 * 4);
        Map<String, Set<String>> byUser = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            byUser.computeIfAbsent(f[0], u -> new HashSet<>()).add(f[2]);
        }
        // issue 16: a failing rerun (k over the catalogue, a run that cannot load) leaves the previous output whole
        byte[] before = Files.readAllBytes(out);
        Fixtures.CliResult tooMany = Fixtures.cli("score", "--run", run.toString(), "--data", data.toString(), "--k", "26", "--out",
                out.toString());
        assertThat(tooMany.exitCode()).isEqualTo(2);
        assertThat(tooMany.err()).contains("seqrec: error:").contains("--k must be in 1..25");
        Fixtures.CliResult noRun = Fixtures.cli("score", "--run", dir.resolve("nope").toString(), "--data", data.toString(), "--out",
                out.toString());
        assertThat(noRun.exitCode()).isEqualTo(2);
        assertThat(Files.readAllBytes(out)).isEqualTo(before);
        try (var list = Files.list(dir)) {
            assertThat(list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
        }
        try (Recommender r = Recommender.load(run)) {
            for (int u = 0; u < d.numUsers(); u++) {
                List<String> history = java.util.Arrays.stream(d.sequence(u)).mapToObj(i -> d.itemMap().original(i)).toList();
                Set<String> expected = new HashSet<>();
                r.recommend(history, 4, true).items().forEach(i -> expected.add(i.id()));
                assertThat(byUser.get(d.originalUserId(u))).isEqualTo(expected).doesNotContainAnyElementsOf(history);
            }
            // a batch of queries scored in passes of at most 3 rows ([3, 26] floats: 312 bytes) gives the same lists
            List<Recommender.Query> queries = new java.util.ArrayList<>();
            for (int u = 0; u < d.numUsers(); u++) {
                queries.add(new Recommender.Query(
                        java.util.Arrays.stream(d.sequence(u)).mapToObj(i -> d.itemMap().original(i)).toList(), 1 + u % 5, u % 2 == 0));
            }
            List<Recommender.Result> whole = r.recommendAll(queries);
            List<Recommender.Result> passes = r.scoreBudget(3 * 26 * 4).recommendAll(queries);
            assertThat(passes).hasSameSizeAs(whole);
            for (int i = 0; i < whole.size(); i++) { // the same items; scores to float noise (a batch's size may change the GEMM path)
                List<Recommender.Item> a = whole.get(i).items();
                List<Recommender.Item> b = passes.get(i).items();
                assertThat(b.stream().map(Recommender.Item::id).toList()).as("query %d", i).isEqualTo(a.stream().map(Recommender.Item::id).toList());
                for (int j = 0; j < a.size(); j++) {
                    assertThat(b.get(j).score()).isCloseTo(a.get(j).score(), org.assertj.core.data.Offset.offset(1e-5f));
                }
                assertThat(a).hasSize(1 + i % 5);
            }
        }
    }
}
