package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;

class PopRecTest {
    @TempDir Path dir;

    @Test
    void countsOnlyTheTrainingPart() {
        // training parts: [1 1 2] and [3]; validation/test items 4 5 / 5 5 never count
        Dataset d = Dataset.of("p", List.of("1", "2", "3"),
                List.of(new int[] {1, 1, 2, 4, 5}, new int[] {3, 5, 5}, new int[] {5, 5}));
        PopRec pop = PopRec.fit(new LeaveOneOut(d));
        assertThat(pop.count(1)).isEqualTo(2);
        assertThat(pop.count(2)).isEqualTo(1);
        assertThat(pop.count(3)).isEqualTo(1);
        assertThat(pop.count(4)).isZero();
        assertThat(pop.count(5)).isZero(); // user 3 has fewer than 3 items: skipped
    }

    @Test
    void leakyScopesReproducePublishedCounting() {
        Dataset d = Dataset.of("p", List.of("1"), List.of(new int[] {1, 2, 3, 4}));
        LeaveOneOut split = new LeaveOneOut(d);
        assertThat(PopRec.fit(split, "train-valid").count(3)).isEqualTo(1);
        assertThat(PopRec.fit(split, "train-valid").count(4)).isZero();
        assertThat(PopRec.fit(split, "all").count(4)).isEqualTo(1);
        assertThat(PopRec.fit(split, "train").count(3)).isZero();
    }

    @Test
    void saveAndLoadRoundTrip() {
        PopRec pop = new PopRec(new long[] {0, 3, 1, 4});
        pop.save(dir);
        PopRec back = PopRec.read(dir);
        assertThat(back.numItems()).isEqualTo(3);
        assertThat(back.count(3)).isEqualTo(4);
    }
}
