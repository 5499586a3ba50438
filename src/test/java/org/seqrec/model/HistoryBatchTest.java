package org.seqrec.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class HistoryBatchTest {
    @Test
    void adHocHistoriesHaveNoUsersNoTargetsAndTheirFullLength() {
        HistoryBatch b = HistoryBatch.ofHistories(new int[][] {{4, 5, 6}, {7}});
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.user(0)).isEqualTo(-1);
        assertThat(b.user(1)).isEqualTo(-1);
        assertThat(b.length(0)).isEqualTo(3);
        assertThat(b.length(1)).isEqualTo(1);
        assertThat(b.history(0)).containsExactly(4, 5, 6);
        assertThat(b.hasTargets()).isFalse();
        assertThat(HistoryBatch.ofHistories(new int[0][]).size()).isZero();
    }

    @Test
    void historyIsThePrefixAndACopy() {
        int[] seq = {1, 2, 3, 4, 5};
        HistoryBatch b = new HistoryBatch(new int[] {7}, new int[][] {seq}, new int[] {3}, new int[] {4});
        assertThat(b.hasTargets()).isTrue();
        assertThat(b.target(0)).isEqualTo(4);
        int[] h = b.history(0);
        assertThat(h).containsExactly(1, 2, 3);
        h[0] = 99;
        assertThat(seq[0]).isEqualTo(1);
    }

    @Test
    void paddedInputsTruncateToTheLastItemsAndPadOnTheLeft() {
        // row 0: prefix 1 2 3 4 of a longer sequence, maxLen 3 keeps 2 3 4; row 1: 9 8, padded 0 9 8
        HistoryBatch b = new HistoryBatch(new int[] {0, 1}, new int[][] {{1, 2, 3, 4, 5}, {9, 8}}, new int[] {4, 2}, null);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = b.paddedInputs(m, 3);
            assertThat(x.getShape().getShape()).containsExactly(2, 3);
            assertThat(x.toLongArray()).containsExactly(2, 3, 4, 0, 9, 8);
        }
    }

    @Test
    void leftPadKeepsMostRecentAtTheEnd() {
        int[] seq = {1, 2, 3, 4, 5};
        assertThat(HistoryBatch.leftPad(seq, 5, 3)).containsExactly(3, 4, 5);
        assertThat(HistoryBatch.leftPad(seq, 4, 6)).containsExactly(0, 0, 1, 2, 3, 4);
        assertThat(HistoryBatch.leftPad(seq, 0, 2)).containsExactly(0, 0);
    }
}
