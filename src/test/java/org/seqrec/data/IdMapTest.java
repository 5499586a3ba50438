package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.SeqrecException;

class IdMapTest {
    @TempDir Path dir;

    @Test
    void readsDenseOrderAndSkipsBlankLines() {
        Path f = Fixtures.write(dir, "m.tsv", "1\tB001\n\n2\tx y\n");
        IdMap m = IdMap.read(f);
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.original(2)).isEqualTo("x y");
        assertThat(m.dense("B001")).contains(1);
        assertThat(m.dense("nope")).isEmpty();
        Path back = dir.resolve("back.tsv");
        new IdMap(List.of("p", "q")).write(back);
        assertThat(IdMap.read(back).original(1)).isEqualTo("p");
    }

    @Test
    void errorsNameTheLine() {
        Path gap = Fixtures.write(dir, "gap.tsv", "1\ta\n3\tb\n");
        assertThatThrownBy(() -> IdMap.read(gap)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining(":2:").hasMessageContaining("expected dense id 2, got 3");
        Path noTab = Fixtures.write(dir, "notab.tsv", "1\ta\n\n2 b\n");
        assertThatThrownBy(() -> IdMap.read(noTab)).hasMessageContaining(":3:").hasMessageContaining("dense<TAB>original");
        Path emptyId = Fixtures.write(dir, "empty.tsv", "\tb\n");
        assertThatThrownBy(() -> IdMap.read(emptyId)).hasMessageContaining(":1:").hasMessageContaining("dense id '' is not an integer");
        Path dup = Fixtures.write(dir, "dup.tsv", "1\ta\n2\ta\n");
        assertThatThrownBy(() -> IdMap.read(dup)).isInstanceOf(SeqrecException.class).hasMessageContaining("duplicate original id a");
        assertThatThrownBy(() -> IdMap.read(dir.resolve("none.tsv"))).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("not found");
    }
}
