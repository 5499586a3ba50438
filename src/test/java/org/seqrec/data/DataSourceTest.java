package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;

class DataSourceTest {
    @TempDir Path dir;

    @Test
    void fmlpSourceLoadsTheFileAsItIs() {
        Path f = Fixtures.write(dir, "Tiny.txt", "1 1 2 3\n2 3 2\n");
        DataSource s = DataSource.fmlp(f);
        assertThat(s.format()).isEqualTo("fmlp");
        assertThat(s.path()).isEqualTo(f.toAbsolutePath().normalize().toString());
        assertThat(s.kcore()).isEqualTo(5);
        Dataset d = s.load();
        assertThat(d.numUsers()).isEqualTo(2);
        assertThat(d.sequence(1)).containsExactly(3, 2); // no k-core applied to an FMLP file
    }

    @Test
    void formatResolvedFromTheFileNameWhenAutoOrMissing() {
        assertThat(source("x.inter", null).resolvedFormat()).isEqualTo("recbole");
        assertThat(source("x.txt", "auto").resolvedFormat()).isEqualTo("fmlp");
        assertThat(source("ratings.dat.gz", null).resolvedFormat()).isEqualTo("movielens");
        assertThat(source("x.csv", "TSV").resolvedFormat()).isEqualTo("tsv");
    }

    private static DataSource source(String path, String format) {
        return new DataSource(path, format, null, null, null, null, null, null, 1, Double.NaN);
    }
}
