package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.seqrec.data.LeaveOneOut.Part;

class LeaveOneOutTest {
    @Test
    void splitBoundaries() {
        Dataset d = Dataset.of("s", List.of("1", "2", "3", "4"),
                List.of(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7, 8}, new int[] {9, 1}, new int[] {}));
        LeaveOneOut s = new LeaveOneOut(d);
        assertThat(s.users()).containsExactly(0, 1);
        assertThat(s.skippedUsers()).isEqualTo(2);
        assertThat(s.train(0)).containsExactly(1, 2, 3);
        assertThat(s.input(0, Part.VALID)).containsExactly(1, 2, 3);
        assertThat(s.target(0, Part.VALID)).isEqualTo(4);
        assertThat(s.input(0, Part.TEST)).containsExactly(1, 2, 3, 4);
        assertThat(s.target(0, Part.TEST)).isEqualTo(5);
        // the shortest splittable user: one training item
        assertThat(s.train(1)).containsExactly(6);
        assertThat(s.target(1, Part.VALID)).isEqualTo(7);
        assertThat(s.target(1, Part.TEST)).isEqualTo(8);
    }

    @Test
    void countsLengthsAndPartKeys() {
        Dataset d = Dataset.of("c", List.of("1", "2", "3"),
                List.of(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7}, new int[] {8, 9, 1}));
        LeaveOneOut s = new LeaveOneOut(d);
        assertThat(s.numUsers()).isEqualTo(2);
        assertThat(s.users()).containsExactly(0, 2);
        assertThat(s.trainLength(0)).isEqualTo(3);
        assertThat(s.trainLength(2)).isEqualTo(1);
        assertThat(s.inputLength(0, Part.TEST)).isEqualTo(4);
        assertThat(s.inputLength(0, Part.VALID)).isEqualTo(3);
        assertThat(Part.TEST.key()).isEqualTo("test");
        assertThat(Part.VALID.key()).isEqualTo("valid");
    }
}
