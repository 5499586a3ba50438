package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.Hashing;
import org.seqrec.util.SeqrecException;

class FmlpReaderTest {
    @TempDir Path dir;

    @Test
    void readsSequencesInOrder() {
        Path f = Fixtures.write(dir, "tiny.txt", "1 1 2 3\n2 4 2  5 1\n\n3\t6 7 8\n");
        Dataset d = FmlpReader.read(f);
        assertThat(d.name()).isEqualTo("tiny");
        assertThat(d.numUsers()).isEqualTo(3);
        assertThat(d.numItems()).isEqualTo(8);
        assertThat(d.sequence(1)).containsExactly(4, 2, 5, 1);
        assertThat(d.userId(2)).isEqualTo("3");
        assertThat(d.numInteractions()).isEqualTo(10);
    }

    @Test
    void fingerprintOfCanonicalFileIsItsSha256() {
        Path f = Fixtures.write(dir, "c.txt", "1 1 2 3\n2 3 2 1\n");
        assertThat(FmlpReader.read(f).fingerprint()).isEqualTo(Hashing.sha256(f));
        Path g = Fixtures.write(dir, "g.txt", "1  1 2 3\n\n2 3 2 1");
        assertThat(FmlpReader.read(g).fingerprint()).isEqualTo(Hashing.sha256(f));
    }

    @Test
    void nonNumericItemNamesFileAndLine() {
        Path f = Fixtures.write(dir, "bad.txt", "1 1 2 3\n2 4 x 5\n");
        assertThatThrownBy(() -> FmlpReader.read(f)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining(f + ":2:").hasMessageContaining("'x'");
    }

    @Test
    void zeroItemIsRejected() {
        Path f = Fixtures.write(dir, "zero.txt", "1 1 0 3\n");
        assertThatThrownBy(() -> FmlpReader.read(f)).hasMessageContaining(":1:").hasMessageContaining("padding");
    }

    @Test
    void duplicateUserIsRejected() {
        Path f = Fixtures.write(dir, "dup.txt", "1 1 2 3\n1 4 5 6\n");
        assertThatThrownBy(() -> FmlpReader.read(f)).hasMessageContaining(":2:").hasMessageContaining("more than one line");
    }

    @Test
    void missingAndEmptyFiles() {
        assertThatThrownBy(() -> FmlpReader.read(dir.resolve("nope.txt"))).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("not found").hasMessageContaining("nope.txt");
        Path empty = Fixtures.write(dir, "empty.txt", "\n\n");
        assertThatThrownBy(() -> FmlpReader.read(empty)).hasMessageContaining("empty dataset").hasMessageContaining("empty.txt");
    }

    @Test
    void loadsIdMapsSavedBeside() {
        Dataset d = new Dataset("x", List.of("1", "2"), List.of(new int[] {1, 2, 3}, new int[] {3, 2, 1}), 3,
                new IdMap(List.of("a", "b", "c")), new IdMap(List.of("alice", "bob")));
        Path f = dir.resolve("x.txt");
        d.save(f);
        assertThat(dir.resolve("x.item_map.tsv")).content().isEqualTo("1\ta\n2\tb\n3\tc\n");
        Dataset back = FmlpReader.read(f);
        assertThat(back.itemMap().original(3)).isEqualTo("c");
        assertThat(back.itemMap().dense("b")).contains(2);
        assertThat(back.originalUserId(1)).isEqualTo("bob");
        assertThat(back.fingerprint()).isEqualTo(d.fingerprint());
    }

    @Test
    void datasetNameDropsOnlyARealExtension() {
        assertThat(FmlpReader.datasetName(Path.of("a", "Beauty.txt"))).isEqualTo("Beauty");
        assertThat(FmlpReader.datasetName(Path.of("a", "x.y.txt"))).isEqualTo("x.y");
        assertThat(FmlpReader.datasetName(Path.of("a", "plain"))).isEqualTo("plain");
        assertThat(FmlpReader.datasetName(Path.of("a", ".txt"))).isEqualTo(".txt"); // a hidden file, not an extension
    }
}
