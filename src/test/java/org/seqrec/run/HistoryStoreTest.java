package org.seqrec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.Dataset;
import org.seqrec.data.IdMap;

class HistoryStoreTest {
    @TempDir
    Path dir;

    /** Users "u-a" and "u-b" (dense 1 and 2 through the user map) over items "apple", "pear", "fig" (dense 1..3). */
    Dataset data() {
        IdMap items = new IdMap(List.of("apple", "pear", "fig"));
        IdMap users = new IdMap(List.of("u-a", "u-b"));
        return new Dataset("shop", List.of("1", "2"), List.of(new int[] {1, 2, 3, 2}, new int[] {3, 1}), 3, items, users);
    }

    @Test
    void keepsOriginalIdsInOrderAndAppendsDurably() {
        Path file = dir.resolve("histories.db");
        try (HistoryStore s = HistoryStore.create(file, data())) {
            assertThat(s.history("u-a")).contains(List.of("apple", "pear", "fig", "pear"));
            assertThat(s.history("u-b")).contains(List.of("fig", "apple"));
            assertThat(s.history("1")).isEmpty(); // dense ids are not user ids
            s.append(List.of(new HistoryStore.Event("u-b", "pear"), new HistoryStore.Event("u-c", "kiwi"),
                    new HistoryStore.Event("u-b", "fig")));
            assertThat(s.history("u-b")).contains(List.of("fig", "apple", "pear", "fig"));
            assertThat(s.history("u-c")).contains(List.of("kiwi"));
        }
        try (HistoryStore s = HistoryStore.open(file)) {
            assertThat(s.history("u-b")).contains(List.of("fig", "apple", "pear", "fig"));
            assertThat(s.history("u-c")).contains(List.of("kiwi"));
            // a bounded read: the most recent items, still oldest first
            assertThat(s.history("u-b", 3)).contains(List.of("apple", "pear", "fig"));
            assertThat(s.history("u-b", 10)).contains(List.of("fig", "apple", "pear", "fig"));
            assertThat(s.history("u-z", 3)).isEmpty();
        }
        assertThat(dir.resolve("histories.db.tmp")).doesNotExist();
    }

    @Test
    void aMissingStoreSaysWhy() {
        assertThatThrownBy(() -> HistoryStore.open(dir.resolve("none.db"))).hasMessageContaining("keeps no user histories");
    }
}
