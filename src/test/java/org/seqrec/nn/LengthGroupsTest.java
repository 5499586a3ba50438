package org.seqrec.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seqrec.nn.LengthGroups.Group;

/** The length-group planner: a partition of the rows, crops that fit, and the cost it minimises. */
class LengthGroupsTest {
    static long cost(List<Group> groups, int overhead) {
        return groups.stream().mapToLong(g -> (long) g.rows().length * g.crop() + overhead).sum();
    }

    static void assertPartition(List<Group> groups, int[] lengths) {
        int[] seen = new int[lengths.length];
        for (Group g : groups) {
            for (int r : g.rows()) {
                seen[r]++;
                assertThat(g.crop()).as("row %d", r).isGreaterThanOrEqualTo(lengths[r]);
            }
        }
        assertThat(seen).containsOnly(1);
    }

    @Test
    void lengthsCountFromTheFirstItem() {
        long[] ids = {0, 0, 3, 4, /**/ 5, 0, 6, 7, /**/ 0, 0, 0, 0, /**/ 1, 2, 3, 4};
        assertThat(LengthGroups.lengths(ids, 4, 4)).containsExactly(2, 4, 1, 4); // an inner 0 counts; all padding is 1
    }

    @Test
    void noOverheadGivesOneGroupPerLength() {
        int[] lengths = {5, 1, 5, 3, 1, 50, 3};
        List<Group> groups = LengthGroups.plan(lengths, 0);
        assertPartition(groups, lengths);
        assertThat(groups).extracting(Group::crop).containsExactly(1, 3, 5, 50);
        assertThat(cost(groups, 0)).isEqualTo(Arrays.stream(lengths).sum());
    }

    @Test
    void aLargeOverheadGivesOneFullGroup() {
        int[] lengths = {5, 1, 5, 3, 1, 50, 3};
        List<Group> groups = LengthGroups.plan(lengths, 1_000_000);
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).crop()).isEqualTo(50);
        assertPartition(groups, lengths);
    }

    /** The plan's cost is the minimum over every way of cutting the sorted lengths (brute force on small cases). */
    @Test
    void thePlanIsOptimal() {
        org.seqrec.data.SplitMix64 rng = new org.seqrec.data.SplitMix64(9);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(9);
            int[] lengths = new int[n];
            for (int i = 0; i < n; i++) {
                lengths[i] = 1 + rng.nextInt(12);
            }
            int overhead = rng.nextInt(30);
            List<Group> groups = LengthGroups.plan(lengths, overhead);
            assertPartition(groups, lengths);
            assertThat(cost(groups, overhead)).as("trial %d", trial).isEqualTo(bruteForce(lengths, overhead));
        }
    }

    /** Minimum over all subsets of cut points between consecutive sorted rows. */
    static long bruteForce(int[] lengths, int overhead) {
        int[] s = lengths.clone();
        Arrays.sort(s);
        long best = Long.MAX_VALUE;
        for (int mask = 0; mask < 1 << (s.length - 1); mask++) {
            long c = 0;
            int start = 0;
            for (int i = 0; i < s.length; i++) {
                if (i == s.length - 1 || (mask >> i & 1) == 1) {
                    c += (long) (i - start + 1) * s[i] + overhead;
                    start = i + 1;
                }
            }
            best = Math.min(best, c);
        }
        return best;
    }
}
