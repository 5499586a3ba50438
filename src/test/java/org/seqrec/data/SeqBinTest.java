package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.SeqrecException;

/** The binary sharded format: the layout written out by hand, round trips, corrupt shards refused, and the CLI paths. */
class SeqBinTest {
    @TempDir Path dir;

    @Test
    void aShardIsTheDocumentedLayout() throws IOException {
        Dataset d = new Dataset("t", List.of("u1", "\u00fc2"), List.of(new int[] {3, 1}, new int[] {2}), 3,
                new IdMap(List.of("a", "b", "c")), null);
        Path out = dir.resolve("t.seqbin");
        SeqBin.save(d, out, 10);
        byte[] got = Files.readAllBytes(out.resolve("shard-00000.bin"));
        byte[] ue = "\u00fc2".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(24 + 3 * 8 + 3 * 4 + 4 + 2 + 4 + ue.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("SEQBIN01".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(2).putInt(0).putLong(3);
        b.putLong(0).putLong(2).putLong(3);
        b.putInt(3).putInt(1).putInt(2);
        b.putInt(2).put(new byte[] {'u', '1'});
        b.putInt(ue.length).put(ue);
        assertThat(got).isEqualTo(b.array());
        assertThat(Files.readString(out.resolve("meta.json"))).contains("\"users\" : 2", "\"items\" : 3", "\"interactions\" : 3",
                "shard-00000.bin");
        assertThat(Files.readAllLines(dir.resolve("t.item_map.tsv"))).containsExactly("1\ta", "2\tb", "3\tc");
    }

    @Test
    void roundTripOverSeveralShardsKeepsEverything() throws IOException {
        Dataset d = org.seqrec.testutil.Synthetic.random(103, 40, 3, 12, 7);
        List<String> originals = new ArrayList<>();
        for (int i = 1; i <= d.numItems(); i++) {
            originals.add("item-" + i);
        }
        List<String> ids = new ArrayList<>();
        List<int[]> seqs = new ArrayList<>();
        for (int u = 0; u < d.numUsers(); u++) {
            ids.add(Integer.toString(u + 1));
            seqs.add(d.sequence(u));
        }
        List<String> users = new ArrayList<>();
        for (int u = 0; u < d.numUsers(); u++) {
            users.add("user " + u);
        }
        Dataset full = new Dataset("r", ids, seqs, d.numItems(), new IdMap(originals), new IdMap(users));
        Path out = dir.resolve("r.seqbin");
        SeqBin.save(full, out, 25);
        try (var s = Files.list(out)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("shard-")).count()).isEqualTo(5);
        }
        Dataset back = SeqBin.read(out);
        assertThat(back.numUsers()).isEqualTo(full.numUsers());
        assertThat(back.numItems()).isEqualTo(full.numItems());
        assertThat(back.fingerprint()).isEqualTo(full.fingerprint());
        for (int u = 0; u < full.numUsers(); u++) {
            assertThat(back.userId(u)).isEqualTo(full.userId(u));
            assertThat(back.originalUserId(u)).isEqualTo("user " + u);
            assertThat(back.sequence(u)).isEqualTo(full.sequence(u));
        }
        assertThat(back.itemMap().original(7)).isEqualTo("item-7");
        // rewriting with bigger shards leaves no stale shard behind
        SeqBin.save(full, out, 1000);
        assertThat(SeqBin.read(out).fingerprint()).isEqualTo(full.fingerprint());
        assertThat(out.resolve("shard-00001.bin")).doesNotExist();
    }

    @Test
    void corruptShardsAreRefused() throws IOException {
        Dataset d = org.seqrec.testutil.Synthetic.random(20, 15, 3, 6, 2);
        Path out = dir.resolve("c.seqbin");
        SeqBin.save(d, out, 100);
        Path shard = out.resolve("shard-00000.bin");
        byte[] good = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(good, good.length - 5)); // truncated
        assertThatThrownBy(() -> SeqBin.read(out)).isInstanceOf(SeqrecException.class).hasMessageContaining("shard-00000.bin");
        Files.write(shard, good);
        long itemsAt = 24 + 8L * (d.numUsers() + 1);
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) { // an item id past the catalogue
            f.seek(itemsAt);
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(d.numItems() + 1).array());
        }
        assertThatThrownBy(() -> SeqBin.read(out)).hasMessageContaining("outside 1.." + d.numItems());
        Files.write(shard, good);
        good[0] = 'X';
        Files.write(shard, good);
        assertThatThrownBy(() -> SeqBin.read(out)).hasMessageContaining("bad magic");
    }

    @Test
    void convertWritesItAndEveryCommandReadsIt() throws IOException {
        Path log = dir.resolve("log.csv");
        List<String> lines = new ArrayList<>(List.of("user_id,item_id,timestamp"));
        java.util.Random rnd = new java.util.Random(4);
        for (int u = 0; u < 60; u++) {
            for (int j = 0; j < 8; j++) {
                lines.add("u" + u + ",i" + rnd.nextInt(25) + "," + (1000 + j));
            }
        }
        Files.write(log, lines);
        Path txt = dir.resolve("shop.txt");
        Path bin = dir.resolve("shop2.seqbin");
        assertThat(Fixtures.cli("data", "convert", "--data", log.toString(), "--out", txt.toString()).exitCode()).isZero();
        Fixtures.CliResult r = Fixtures.cli("data", "convert", "--data", log.toString(), "--out", bin.toString(), "--shard-users", "16");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Dataset fromText = FmlpReader.read(txt);
        Dataset fromBin = new DataSource(bin.toString(), "auto", null, null, null, null, null, null, 5, Double.NaN).load();
        assertThat(fromBin.fingerprint()).isEqualTo(fromText.fingerprint());
        assertThat(Files.readAllBytes(dir.resolve("shop2.item_map.tsv"))).isEqualTo(Files.readAllBytes(dir.resolve("shop.item_map.tsv")));
        // FMLP to binary and back: the same text
        Path again = dir.resolve("back.txt");
        assertThat(Fixtures.cli("data", "convert", "--data", bin.toString(), "--out", again.toString()).exitCode()).isZero();
        assertThat(Files.readString(again)).isEqualTo(Files.readString(txt));
        // a run trained from it records the source, reloads it and evaluates (its config round-trips)
        Path run = dir.resolve("run");
        Fixtures.CliResult train = Fixtures.cli("train", "--model", "pop", "--data", bin.toString(), "--out", run.toString(), "--protocol", "full");
        assertThat(train.exitCode()).as(train.err()).isZero();
        Fixtures.CliResult eval = Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "full");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(Files.readString(run.resolve("config.json"))).contains("shop2.seqbin");
        Fixtures.CliResult stats = Fixtures.cli("data", "stats", "--data", bin.toString(), "--json");
        assertThat(stats.exitCode()).as(stats.err()).isZero();
        assertThat(stats.out()).contains("\"sequences\" : " + fromText.numUsers());
        // scoring shard by shard (a job array) gives the rows of scoring the whole file, in the same order
        Path whole = dir.resolve("whole.csv");
        assertThat(Fixtures.cli("score", "--run", run.toString(), "--data", txt.toString(), "--k", "3", "--out", whole.toString()).exitCode())
                .isZero();
        List<String> joined = new ArrayList<>();
        int shards = (fromText.numUsers() + 15) / 16;
        assertThat(shards).isGreaterThan(2);
        for (int i = 0; i < shards; i++) {
            Path part = dir.resolve("part-" + i + ".csv");
            Fixtures.CliResult s = Fixtures.cli("score", "--run", run.toString(), "--data", bin.toString(), "--shard", Integer.toString(i), "--k",
                    "3", "--out", part.toString());
            assertThat(s.exitCode()).as(s.err()).isZero();
            List<String> rows = Files.readAllLines(part);
            assertThat(rows.size() - 1).isEqualTo(3 * Math.min(16, fromText.numUsers() - 16 * i));
            joined.addAll(i == 0 ? rows : rows.subList(1, rows.size()));
        }
        assertThat(joined).isEqualTo(Files.readAllLines(whole));
        Fixtures.CliResult beyond = Fixtures.cli("score", "--run", run.toString(), "--data", bin.toString(), "--shard", Integer.toString(shards),
                "--out", dir.resolve("x.csv").toString());
        assertThat(beyond.exitCode()).isEqualTo(2);
        assertThat(beyond.err()).contains("not shard " + shards);
        Fixtures.CliResult notBin = Fixtures.cli("score", "--run", run.toString(), "--data", txt.toString(), "--shard", "0", "--out",
                dir.resolve("x.csv").toString());
        assertThat(notBin.exitCode()).isEqualTo(2);
        assertThat(notBin.err()).contains("--shard needs a .seqbin");
    }
}
