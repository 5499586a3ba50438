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
        Negatives n = Negatives.sample(d, 99, 42);
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
        Negatives.sample(d, 99, 42).write(a, d);
        Negatives.sample(d, 99, 42).write(b, d);
        Negatives.sample(d, 99, 43).write(c, d);
        assertThat(Hashing.sha256(a)).isEqualTo(Hashing.sha256(b)).isNotEqualTo(Hashing.sha256(c));
    }

    @Test
    void sameFileOnAnyMachine() {
        // The generator is SplitMix64 written out in full, so this golden hash holds on every JVM.
        Dataset d = Synthetic.random(20, 300, 3, 22, 3);
        Path a = dir.resolve("golden.txt");
        Negatives.sample(d, 99, 42).write(a, d);
        // reference output of splitmix64.c (Vigna) for seed 0
        assertThat(new SplitMix64(0).nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(Hashing.sha256(a)).isEqualTo(GOLDEN);
    }

    static final String GOLDEN = "e747c34388fc60118532d64764c5b8e4db6147a15b9831bcd09c445a8e153823";

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
        assertThatThrownBy(() -> Negatives.sample(d, 99, 1)).hasMessageContaining("fewer than 99");
    }
}
