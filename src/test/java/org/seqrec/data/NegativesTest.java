package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Hashing;
import org.seqrec.util.SeqrecException;

class NegativesTest {
    @TempDir Path dir;

    @Test
    void negativesAreUnseenDistinctNonZeroItems() {
        Dataset d = Synthetic.random(300, 150, 3, 22, 1);
        Negatives n = Negatives.derived(d, 99, 42);
        for (int u = 0; u < d.numUsers(); u++) {
            Set<Integer> seen = new HashSet<>();
            for (int item : d.sequence(u)) {
                seen.add(item);
            }
            Set<Integer> negs = new HashSet<>();
            for (int item : n.of(u)) {
                assertThat(item).isBetween(1, d.numItems());
                assertThat(seen).doesNotContain(item);
                negs.add(item);
            }
            assertThat(negs).hasSize(99);
        }
    }

    @Test
    void reproducibleFromSeedAndDifferentAcrossSeeds() {
        Dataset d = Synthetic.random(50, 400, 3, 22, 2);
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Path c = dir.resolve("c.txt");
        Negatives.derived(d, 99, 42).write(a, d);
        Negatives.derived(d, 99, 42).write(b, d);
        Negatives.derived(d, 99, 43).write(c, d);
        assertThat(Hashing.sha256(a)).isEqualTo(Hashing.sha256(b)).isNotEqualTo(Hashing.sha256(c));
    }

    @Test
    void sameFileOnAnyMachine() {
        // The generator is SplitMix64 written out in full, so this golden hash holds on every JVM.
        Dataset d = Synthetic.random(20, 300, 3, 22, 3);
        Path a = dir.resolve("golden.txt");
        Negatives.derived(d, 99, 42).write(a, d);
        // reference output of splitmix64.c (Vigna) for seed 0
        assertThat(new SplitMix64(0).nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(Hashing.sha256(a)).isEqualTo(GOLDEN);
    }

    static final String GOLDEN = "e747c34388fc60118532d64764c5b8e4db6147a15b9831bcd09c445a8e153823";

    @Test
    void derivedListsAreTheRejectionDrawFromEachUsersStream() {
        // the definition written out plainly: draw 1 + nextInt(n) from stream (seed, u), keep what is neither seen nor drawn
        Dataset d = Synthetic.random(40, 200, 3, 60, 4); // up to 60 of 200 items seen: many rejections
        Negatives n = Negatives.derived(d, 99, 11);
        for (int u = 0; u < d.numUsers(); u++) {
            Set<Integer> skip = new HashSet<>();
            for (int item : d.sequence(u)) {
                skip.add(item);
            }
            SplitMix64 rng = SplitMix64.forStream(11, u);
            List<Integer> expected = new ArrayList<>();
            while (expected.size() < 99) {
                int item = 1 + rng.nextInt(d.numItems());
                if (skip.add(item)) {
                    expected.add(item);
                }
            }
            assertThat(n.of(u)).as("user %d", u).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
            assertThat(n.of(u)).as("asked twice").containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void anExportReadsBackAsTheSameListsAndItsHashIsKnownWithoutWriting() {
        Dataset d = Synthetic.random(60, 300, 3, 22, 5);
        Negatives derived = Negatives.derived(d, 99, 8);
        Path f = dir.resolve("export.txt");
        derived.write(f, d);
        assertThat(derived.sha256(d)).isEqualTo(Hashing.sha256(f));
        Negatives read = Negatives.read(f, new LeaveOneOut(d), 99);
        assertThat(read.isDerived()).isFalse();
        assertThat(derived.isDerived()).isTrue();
        assertThat(derived.seed()).isEqualTo(8);
        for (int u = 0; u < d.numUsers(); u++) {
            assertThat(read.of(u)).containsExactly(derived.of(u));
        }
        assertThat(read.sha256(d)).isEqualTo(Hashing.sha256(f));
        assertThatThrownBy(read::seed).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readValidatesAgainstTheDataset() {
        Dataset d = Dataset.of("v", List.of("1", "2"), List.of(new int[] {1, 2, 3}, new int[] {4, 5, 6}));
        LeaveOneOut split = new LeaveOneOut(d);
        Path ok = Fixtures.write(dir, "ok.txt", "1 4 5\n2 1 2\n");
        assertThat(Negatives.read(ok, split, 2).of(1)).containsExactly(1, 2);
        Path seen = Fixtures.write(dir, "seen.txt", "1 4 3\n2 1 2\n");
        assertThatThrownBy(() -> Negatives.read(seen, split, 2)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining(seen + ":1:").hasMessageContaining("interacted");
        Path zero = Fixtures.write(dir, "zero.txt", "1 4 5\n2 0 2\n");
        assertThatThrownBy(() -> Negatives.read(zero, split, 2)).hasMessageContaining(":2:").hasMessageContaining("1..6");
        Path count = Fixtures.write(dir, "count.txt", "1 4 5 6\n");
        assertThatThrownBy(() -> Negatives.read(count, split, 2)).hasMessageContaining(":1:").hasMessageContaining("expected 2");
        Path user = Fixtures.write(dir, "user.txt", "9 4 5\n");
        assertThatThrownBy(() -> Negatives.read(user, split, 2)).hasMessageContaining(":1:").hasMessageContaining("'9'");
        Path missing = Fixtures.write(dir, "missing.txt", "1 4 5\n");
        assertThatThrownBy(() -> Negatives.read(missing, split, 2)).hasMessageContaining("no negatives for 1 user")
                .hasMessageContaining("'2'");
        assertThatThrownBy(() -> Negatives.read(dir.resolve("none.txt"), split, 2)).hasMessageContaining("not found");
    }

    @Test
    void tooFewUnseenItemsIsAnError() {
        Dataset d = Dataset.of("small", List.of("1"), List.of(new int[] {1, 2, 3}));
        assertThatThrownBy(() -> Negatives.derived(d, 99, 1)).hasMessageContaining("fewer than 99");
    }

    @Test
    void sampleNeedsExactlyCountUnseenItems() {
        // 5 items, the user has seen 4 distinct ones (item 1 twice): one negative can be drawn (item 5), not two
        Dataset d = new Dataset("few", List.of("1"), List.of(new int[] {1, 2, 1, 3, 4}), 5, null, null);
        assertThat(Negatives.derived(d, 1, 7).of(0)).containsExactly(5);
        assertThatThrownBy(() -> Negatives.derived(d, 2, 7)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("interacted with 4 of 5 items");
    }

    @Test
    void readSkipsBlankLinesAndAcceptsTheLargestItem() {
        // three users; user index 1 (second line) has a negative no one has touched yet, and item 7 = numItems
        Dataset d = new Dataset("r", List.of("1", "2", "3"),
                List.of(new int[] {1, 2, 3}, new int[] {4, 5, 6}, new int[] {1, 2, 3}), 7, null, null);
        LeaveOneOut split = new LeaveOneOut(d);
        Path f = Fixtures.write(dir, "blank.txt", "1 4 5\n\n   \n2 7 1\n3 6 7\n");
        Negatives n = Negatives.read(f, split, 2);
        assertThat(n.count()).isEqualTo(2);
        assertThat(n.of(0)).containsExactly(4, 5);
        assertThat(n.of(1)).containsExactly(7, 1);
        assertThat(n.of(2)).containsExactly(6, 7);
        Path rep = Fixtures.write(dir, "repeat.txt", "1 4 4\n");
        assertThatThrownBy(() -> Negatives.read(rep, split, 2)).hasMessageContaining("repeats");
        Path big = Fixtures.write(dir, "big.txt", "1 4 8\n");
        assertThatThrownBy(() -> Negatives.read(big, split, 2)).hasMessageContaining("negative 8 is not an item id in 1..7");
        Path twice = Fixtures.write(dir, "twice.txt", "1 4 5\n1 4 5\n");
        assertThatThrownBy(() -> Negatives.read(twice, split, 2)).hasMessageContaining(":2:").hasMessageContaining("twice");
    }

    @Test
    void aWrongCountNamesTheCountFoundAndTheLikelyProtocol() {
        Dataset d = new Dataset("c", List.of("1"), List.of(new int[] {1, 2, 3}), 200, null, null);
        LeaveOneOut split = new LeaveOneOut(d);
        StringBuilder hundred = new StringBuilder("1");
        for (int i = 0; i < 100; i++) {
            hundred.append(' ').append(10 + i);
        }
        Path f100 = Fixtures.write(dir, "u100.txt", hundred + "\n");
        assertThatThrownBy(() -> Negatives.read(f100, split, 99))
                .hasMessageContaining("found 100 (a uni100 file? use --protocol uni100)");
        Path f99 = Fixtures.write(dir, "s99.txt", hundred.substring(0, hundred.lastIndexOf(" ")) + "\n");
        assertThatThrownBy(() -> Negatives.read(f99, split, 100))
                .hasMessageContaining("found 99 (a 1-vs-99 file? use --protocol sampled)");
        Path f3 = Fixtures.write(dir, "three.txt", "1 10 11 12\n");
        assertThatThrownBy(() -> Negatives.read(f3, split, 99)).hasMessageContaining("found 3")
                .hasMessageNotContaining("protocol");
    }
}
