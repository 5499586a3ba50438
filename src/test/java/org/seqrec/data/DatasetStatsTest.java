package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetStatsTest {
    @Test
    void evenNumberOfUsersByHand() {
        // lengths 3 5 1 2 (not sorted in the file); user 2 repeats item 1, so 10 distinct (user, item) pairs
        Dataset d = Dataset.of("tiny", List.of("1", "2", "3", "4"),
                List.of(new int[] {1, 2, 3}, new int[] {1, 2, 3, 4, 1}, new int[] {5}, new int[] {2, 6}));
        DatasetStats s = DatasetStats.of(d);
        assertThat(s.sequences()).isEqualTo(4);
        assertThat(s.items()).isEqualTo(6);
        assertThat(s.maxItemId()).isEqualTo(6);
        assertThat(s.actions()).isEqualTo(11);
        assertThat(s.sparsity()).isCloseTo(1 - 10.0 / 24, within(1e-12));
        assertThat(s.avgLength()).isCloseTo(2.75, within(1e-12));
        assertThat(s.medianLength()).isEqualTo(2.5); // sorted 1 2 3 5
        assertThat(s.minLength()).isEqualTo(1);
        assertThat(s.maxLength()).isEqualTo(5);
        assertThat(s.usersBelow3()).isEqualTo(2); // lengths 1 and 2; 3 is enough
        assertThat(s.toMarkdown()).endsWith(String.format("| tiny | 4 | 6 | 11 | %.2f%% | %.2f | %.1f | 5 |%n", 58.333333, 2.75, 2.5))
                .startsWith("| Dataset | #Sequences |");
    }

    @Test
    void oddNumberOfUsersTakesTheMiddleLength() {
        Dataset d = Dataset.of("odd", List.of("1", "2", "3"), List.of(new int[] {1, 2, 3, 4}, new int[] {5}, new int[] {6, 7}));
        DatasetStats s = DatasetStats.of(d);
        assertThat(s.medianLength()).isEqualTo(2.0); // sorted 1 2 4
        assertThat(s.minLength()).isEqualTo(1);
        assertThat(s.maxLength()).isEqualTo(4);
        assertThat(s.usersBelow3()).isEqualTo(2);
        assertThat(s.sparsity()).isCloseTo(1 - 7.0 / 21, within(1e-12));
    }
}
