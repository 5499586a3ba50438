package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {
    @Test
    void originalUserIdsThroughTheUserMap() {
        IdMap users = new IdMap(List.of("alice", "bob"));
        Dataset d = new Dataset("u", List.of("1", "2", "x", "3"),
                List.of(new int[] {1}, new int[] {2}, new int[] {1}, new int[] {2}), 2, null, users);
        assertThat(d.userMap()).isSameAs(users);
        assertThat(d.originalUserId(1)).isEqualTo("bob");
        assertThat(d.originalUserId(2)).isEqualTo("x"); // not a dense id: itself
        assertThat(d.originalUserId(3)).isEqualTo("3"); // outside the map: itself
        Dataset plain = Dataset.of("p", List.of("u7"), List.of(new int[] {1}));
        assertThat(plain.userMap()).isNull();
        assertThat(plain.originalUserId(0)).isEqualTo("u7");
    }

    @Test
    void mapFilesSitBesideTheDataFile() {
        Path dir = Path.of("some", "dir").toAbsolutePath();
        assertThat(Dataset.itemMapPath(dir.resolve("Beauty.txt"))).isEqualTo(dir.resolve("Beauty.item_map.tsv"));
        assertThat(Dataset.userMapPath(dir.resolve("Beauty.txt"))).isEqualTo(dir.resolve("Beauty.user_map.tsv"));
        // a leading dot is a hidden file's name, not an extension
        assertThat(Dataset.itemMapPath(dir.resolve(".x"))).isEqualTo(dir.resolve(".x.item_map.tsv"));
    }

    @Test
    void firstUsersKeepsExactlyThatMany() {
        Dataset d = Dataset.of("f", List.of("1", "2", "3"), List.of(new int[] {5, 6}, new int[] {6, 7}, new int[] {8, 9}));
        Dataset two = Subsets.firstUsers(d, 2, 1).dataset();
        assertThat(two.numUsers()).isEqualTo(2);
        assertThat(two.name()).isEqualTo("f-2");
        // items renumbered in order of first appearance: 5 6 | 6 7 -> 1 2 | 2 3
        assertThat(two.sequence(1)).containsExactly(2, 3);
        assertThat(Subsets.firstUsers(d, 10, 1).dataset().numUsers()).isEqualTo(3);
    }
}
