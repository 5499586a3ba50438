package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Fixtures.CliResult;
import org.seqrec.util.Json;

class CliEndToEndTest {
    @TempDir Path dir;

    /** The item sequence of user {@code u} (1..150) in the tiny dataset. */
    private static int[] tinySequence(int u) {
        int[] s = new int[3 + u % 9];
        for (int i = 0; i < s.length; i++) {
            s[i] = i == 0 ? 1 : 1 + (u * 7 + i * 13) % 200;
        }
        return s;
    }

    /** 150 users over 200 items, ids deterministic; item 1 is the most popular. */
    private Path tinyDataset() {
        StringBuilder sb = new StringBuilder();
        for (int u = 1; u <= 150; u++) {
            sb.append(u);
            for (int item : tinySequence(u)) {
                sb.append(' ').append(item);
            }
            sb.append('\n');
        }
        sb.append("151 5 6\n"); // a user with 2 items: skipped, counted
        return Fixtures.write(dir, "tiny.txt", sb.toString());
    }

    @Test
    void statsSampleTrainEvaluateRecommend() throws IOException {
        Path data = tinyDataset();
        CliResult stats = Fixtures.cli("data", "stats", "--data", data.toString(), "--json");
        assertThat(stats.exitCode()).as(stats.err()).isZero();
        JsonNode s = Json.MAPPER.readTree(stats.out());
        assertThat(s.path("sequences").asInt()).isEqualTo(151);
        assertThat(s.path("users_below_3_items").asInt()).isEqualTo(1);

        Path negs = dir.resolve("tiny_sample.txt");
        CliResult sample = Fixtures.cli("data", "sample", "--data", data.toString(), "--negatives", "99", "--seed", "42",
                "--out", negs.toString());
        assertThat(sample.exitCode()).as(sample.err()).isZero();
        assertThat(Files.readAllLines(negs)).hasSize(151);

        Path run = dir.resolve("runs/pop");
        CliResult train = Fixtures.cli("train", "--model", "pop", "--data", data.toString(), "--out", run.toString(),
                "--negatives", negs.toString());
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(train.out()).contains("| test |");
        assertThat(train.err()).contains("1 user(s) with fewer than 3 items skipped");

        CliResult full = Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "full");
        assertThat(full.exitCode()).as(full.err()).isZero();
        JsonNode results = Json.read(run.resolve("results.json"));
        assertThat(results.path("protocol").asText()).isEqualTo("full");
        assertThat(results.path("dataset").path("evaluated_users").asInt()).isEqualTo(150);
        assertThat(results.path("dataset").path("skipped_users").asInt()).isEqualTo(1);
        assertThat(results.path("dataset").path("fingerprint").asText()).hasSize(64);
        assertThat(results.path("versions").path("seqrec").asText()).isNotEmpty();
        // PopRec's test metrics, computed here by brute force: items ranked by their count in the training
        // parts s[0..n-3]; the user's other history items are not candidates; rank = how many candidates
        // score at least as high as the target (ties count against it, protocols tie rule)
        long[] count = new long[201];
        for (int u = 1; u <= 150; u++) {
            int[] seq = tinySequence(u);
            for (int i = 0; i < seq.length - 2; i++) {
                count[seq[i]]++;
            }
        }
        int hits10 = 0;
        int hits1 = 0;
        double ndcg10 = 0;
        for (int u = 1; u <= 150; u++) {
            int[] seq = tinySequence(u);
            int target = seq[seq.length - 1];
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < seq.length - 1; i++) {
                seen.add(seq[i]);
            }
            int rank = 0;
            for (int item = 1; item <= 200; item++) {
                if (item != target && !seen.contains(item) && count[item] >= count[target]) {
                    rank++;
                }
            }
            hits10 += rank < 10 ? 1 : 0;
            hits1 += rank == 0 ? 1 : 0;
            ndcg10 += rank < 10 ? 1 / (Math.log(rank + 2) / Math.log(2)) : 0;
        }
        assertThat(hits10).as("the fixture gives PopRec some hits and some misses").isBetween(1, 149);
        assertThat(results.path("test").path("HR@10").asDouble()).isCloseTo(hits10 / 150.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(results.path("test").path("HR@1").asDouble()).isCloseTo(hits1 / 150.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(results.path("test").path("NDCG@10").asDouble()).isCloseTo(ndcg10 / 150, org.assertj.core.data.Offset.offset(1e-9));
        JsonNode sampled = Json.read(run.resolve("results-sampled.json"));
        assertThat(sampled.path("negatives").path("sha256").asText()).isEqualTo(org.seqrec.util.Hashing.sha256(negs));
        assertThat(sampled.path("valid").has("MRR")).isTrue();
        assertThat(Files.readString(run.resolve("results.md"))).contains("`sampled`").contains("`full`");
        // re-evaluating with the run's own negatives gives identical numbers
        CliResult again = Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "sampled");
        assertThat(again.exitCode()).isZero();
        assertThat(Json.read(run.resolve("results-sampled.json")).path("test")).isEqualTo(sampled.path("test"));

        CliResult rec = Fixtures.cli("recommend", "--run", run.toString(), "--history", "1,2,nope", "--k", "3", "--exclude-seen");
        assertThat(rec.exitCode()).as(rec.err()).isZero();
        assertThat(rec.err()).contains("nope");
        List<String> lines = rec.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(1, 4)).noneMatch(l -> l.split("\t")[1].equals("1") || l.split("\t")[1].equals("2"));
        assertNoTempFiles(dir);
    }

    @Test
    void convertLogThenTrainInOriginalIds() throws IOException {
        StringBuilder sb = new StringBuilder("user,item,ts\n");
        for (int u = 0; u < 30; u++) {
            for (int i = 0; i < 6; i++) {
                sb.append("user").append(u).append(",sku-").append((u + i * 3) % 12).append(',').append(1000 + i).append('\n');
            }
        }
        Path log = Fixtures.write(dir, "log.csv", sb.toString());
        Path out = dir.resolve("conv/shop.txt");
        CliResult conv = Fixtures.cli("data", "convert", "--data", log.toString(), "--user-col", "user", "--item-col", "item",
                "--time-col", "ts", "--out", out.toString());
        assertThat(conv.exitCode()).as(conv.err()).isZero();
        assertThat(dir.resolve("conv/shop.item_map.tsv")).exists();
        assertThat(dir.resolve("conv/shop.user_map.tsv")).content().startsWith("1\tuser0\n");
        Path run = dir.resolve("runs/shop");
        CliResult train = Fixtures.cli("train", "--model", "pop", "--data", out.toString(), "--out", run.toString(),
                "--protocol", "full");
        assertThat(train.exitCode()).as(train.err()).isZero();
        CliResult rec = Fixtures.cli("recommend", "--run", run.toString(), "--history", "sku-1", "--k", "2");
        assertThat(rec.out()).contains("sku-");
        // training straight from the log gives the same dataset fingerprint as the converted file
        Path run2 = dir.resolve("runs/shop2");
        CliResult direct = Fixtures.cli("train", "--model", "pop", "--data", log.toString(), "--user-col", "user",
                "--item-col", "item", "--time-col", "ts", "--out", run2.toString(), "--protocol", "full");
        assertThat(direct.exitCode()).as(direct.err()).isZero();
        assertThat(Json.read(run2.resolve("dataset.json")).path("fingerprint"))
                .isEqualTo(Json.read(run.resolve("dataset.json")).path("fingerprint"));
    }

    @Test
    void errorsAreClearAndExitWithCode2() {
        Path bad = Fixtures.write(dir, "bad.txt", "1 1 2 3\n2 4 x 5\n");
        CliResult r = Fixtures.cli("data", "stats", "--data", bad.toString());
        assertThat(r.exitCode()).isEqualTo(2); // README: user errors exit 2
        assertThat(r.err()).contains("seqrec: error:").contains(bad + ":2:");

        CliResult missing = Fixtures.cli("train", "--model", "pop", "--data", dir.resolve("none.txt").toString(), "--out",
                dir.resolve("runs/x").toString());
        assertThat(missing.exitCode()).isEqualTo(2); // README: user errors exit 2
        assertThat(missing.err()).contains("not found").contains("none.txt");

        CliResult model = Fixtures.cli("train", "--model", "nosuch", "--data", bad.toString(), "--out", dir.resolve("r").toString());
        assertThat(model.exitCode()).isEqualTo(2); // README: user errors exit 2
        assertThat(model.err()).contains("unknown model 'nosuch'").contains("pop");

        Path data = tinyDataset();
        Path wrongNegs = Fixtures.write(dir, "wrong.txt", "1 2 3\n");
        CliResult neg = Fixtures.cli("train", "--model", "pop", "--data", data.toString(), "--out", dir.resolve("runs/n").toString(),
                "--negatives", wrongNegs.toString());
        assertThat(neg.exitCode()).isEqualTo(2); // README: user errors exit 2
        assertThat(neg.err()).contains(wrongNegs + ":1:").contains("expected 99");

        CliResult noRun = Fixtures.cli("evaluate", "--run", dir.toString());
        assertThat(noRun.exitCode()).isEqualTo(2); // README: user errors exit 2
        assertThat(noRun.err()).contains("not a seqrec run directory");
    }

    @Test
    void derivedNegativesNeedNoFileAndEqualTheirExport() throws IOException {
        Path data = tinyDataset();
        Path exported = dir.resolve("export.txt");
        assertThat(Fixtures.cli("data", "sample", "--data", data.toString(), "--seed", "7", "--out", exported.toString()).exitCode())
                .isZero();
        // a run given the seed holds no negatives file, only the derivation record
        Path derived = dir.resolve("runs/derived");
        CliResult a = Fixtures.cli("train", "--model", "pop", "--data", data.toString(), "--out", derived.toString(),
                "--negatives-seed", "7");
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(derived.resolve("negatives-sampled.txt")).doesNotExist();
        JsonNode record = Json.read(derived.resolve("negatives-sampled.json"));
        assertThat(record.path("seed").asLong()).isEqualTo(7);
        assertThat(record.path("sha256").asText()).isEqualTo(org.seqrec.util.Hashing.sha256(exported));
        // the same model given the exported file ranks every user identically
        Path fromFile = dir.resolve("runs/file");
        assertThat(Fixtures.cli("train", "--model", "pop", "--data", data.toString(), "--out", fromFile.toString(), "--negatives",
                exported.toString()).exitCode()).isZero();
        assertThat(Files.readString(derived.resolve("ranks-sampled.tsv"))).isEqualTo(Files.readString(fromFile.resolve("ranks-sampled.tsv")));
        JsonNode results = Json.read(derived.resolve("results-sampled.json"));
        assertThat(results.path("negatives").path("seed").asLong()).isEqualTo(7);
        assertThat(results.path("negatives").path("sha256").asText()).isEqualTo(org.seqrec.util.Hashing.sha256(exported));
        assertThat(results.path("test")).isEqualTo(Json.read(fromFile.resolve("results-sampled.json")).path("test"));
        // a later evaluation without options uses the run's seed (7), not the default (42)
        assertThat(Fixtures.cli("evaluate", "--run", derived.toString()).exitCode()).isZero();
        assertThat(Files.readString(derived.resolve("ranks-sampled.tsv"))).isEqualTo(Files.readString(fromFile.resolve("ranks-sampled.tsv")));
        // another seed replaces the run's lists; a tampered record is refused
        assertThat(Fixtures.cli("evaluate", "--run", derived.toString(), "--negatives-seed", "8").exitCode()).isZero();
        assertThat(Json.read(derived.resolve("negatives-sampled.json")).path("seed").asLong()).isEqualTo(8);
        Files.writeString(derived.resolve("negatives-sampled.json"),
                Files.readString(derived.resolve("negatives-sampled.json")).replace("\"seed\" : 8", "\"seed\" : 9"));
        CliResult tampered = Fixtures.cli("evaluate", "--run", derived.toString());
        assertThat(tampered.exitCode()).isEqualTo(2);
        assertThat(tampered.err()).contains("differ from those the run recorded");
        // a run holding a file whose record then names a seed uses the seed; the file stays but is no longer read
        assertThat(Fixtures.cli("evaluate", "--run", fromFile.toString(), "--negatives-seed", "7").exitCode()).isZero();
        assertThat(fromFile.resolve("negatives-sampled.txt")).exists();
        Files.writeString(fromFile.resolve("negatives-sampled.txt"), "garbage\n"); // would be refused if it were read
        assertThat(Fixtures.cli("evaluate", "--run", fromFile.toString()).exitCode()).isZero();
        // a resumed run keeps the negatives it validated on
        Path neural = dir.resolve("runs/neural");
        String[] train = {"train", "--model", "convformer", "--data", data.toString(), "--out", neural.toString(), "--hidden", "8", "--max-len",
            "6", "--kernel", "3", "--threads", "1", "--negatives-seed", "7"};
        assertThat(Fixtures.cli(concat(train, "--epochs", "1")).exitCode()).isZero();
        String[] other = train.clone();
        other[other.length - 1] = "8";
        CliResult switched = Fixtures.cli(concat(other, "--epochs", "1", "--resume"));
        assertThat(switched.exitCode()).isEqualTo(2);
        assertThat(switched.err()).contains("validated on other negatives");
        CliResult same = Fixtures.cli(concat(train, "--epochs", "1", "--resume"));
        assertThat(same.exitCode()).as(same.err()).isZero();
        assertThat(Json.read(neural.resolve("negatives-sampled.json")).path("seed").asLong()).isEqualTo(7);
        CliResult both = Fixtures.cli("train", "--model", "pop", "--data", data.toString(), "--out", dir.resolve("runs/both").toString(),
                "--negatives", exported.toString(), "--negatives-seed", "7");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("not both");
    }

    @Test
    void quickstartRunsOnTheBundledDataset() {
        CliResult q = Fixtures.cli("quickstart", "--out", dir.resolve("qs").toString(), "--epochs", "1");
        assertThat(q.exitCode()).as(q.err()).isZero();
        assertThat(q.out()).contains("beauty-mini").contains("`sampled`").contains("`full`").contains("| convformer |")
                .contains("| pop |");
    }

    private static void assertNoTempFiles(Path root) throws IOException {
        List<Path> tmp = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> p.getFileName().toString().endsWith(".tmp")).forEach(tmp::add);
        }
        assertThat(tmp).isEmpty();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
