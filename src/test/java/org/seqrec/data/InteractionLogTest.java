package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The log's block columns: every row reads back what was added, across block boundaries, ratings or not. */
class InteractionLogTest {
    @Test
    void rowsReadBackAcrossBlocksAndRatingsAppearFromTheFirstRatedRow() {
        int rows = 2 * InteractionLog.BLOCK + 123; // three blocks, the last partial
        int firstRated = InteractionLog.BLOCK + 7; // the rating column starts in the second block
        InteractionLog log = new InteractionLog();
        for (int r = 0; r < rows; r++) {
            log.add("u" + (r % 1000), "i" + (r % 777), 1e9 + r * 0.5, r >= firstRated && r % 3 != 0 ? r % 5 : Float.NaN);
        }
        assertThat(log.size()).isEqualTo(rows);
        assertThat(log.numUsers()).isEqualTo(1000);
        assertThat(log.numItems()).isEqualTo(777);
        for (int r = 0; r < rows; r++) {
            // codes in order of first appearance: row r's user first appeared at row r % 1000
            assertThat(log.user(r)).isEqualTo(r % 1000);
            assertThat(log.item(r)).isEqualTo(r % 777);
            assertThat(log.userName(log.user(r))).isEqualTo("u" + (r % 1000));
            assertThat(log.time(r)).isEqualTo(1e9 + r * 0.5);
            if (r >= firstRated && r % 3 != 0) {
                assertThat(log.rating(r)).as("row %d", r).isEqualTo((float) (r % 5));
            } else {
                assertThat(log.rating(r)).as("row %d", r).isNaN();
            }
        }
    }

    @Test
    void aLogWithoutRatingsReadsNaN() {
        InteractionLog log = new InteractionLog();
        log.add("a", "x", 1, Float.NaN);
        log.add("b", "y", 2, Float.NaN);
        assertThat(log.rating(0)).isNaN();
        assertThat(log.rating(1)).isNaN();
        assertThat(log.item(1)).isEqualTo(1);
    }
}
