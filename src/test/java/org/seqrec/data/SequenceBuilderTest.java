package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;

class SequenceBuilderTest {
    @TempDir Path dir;

    private static InteractionLog log(String... rows) {
        InteractionLog log = new InteractionLog();
        for (String r : rows) {
            String[] f = r.split(",");
            log.add(f[0], f[1], Double.parseDouble(f[2]), Float.NaN);
        }
        return log;
    }

    @Test
    void dedupStableTimeSortAndDenseIdsInOrderOfFirstAppearance() {
        InteractionLog log = log(
                "bob,x,5", "ann,y,3", "bob,z,1", "bob,x,5", // duplicate (bob, x, 5) dropped
                "bob,w,5", // same time as x: keeps file order (x before w)
                "ann,x,3", // same time as y: y then x
                "bob,x,9"); // same item at another time: kept
        SequenceBuilder.Result r = SequenceBuilder.build("t", log, 1, Double.NaN);
        Dataset d = r.dataset();
        assertThat(r.report().duplicates()).isEqualTo(1);
        // users in order of first appearance: bob=1, ann=2
        assertThat(d.originalUserId(0)).isEqualTo("bob");
        assertThat(d.originalUserId(1)).isEqualTo("ann");
        // bob: z(1) x(5) w(5) x(9); items numbered as first seen: z=1 x=2 w=3, then ann's y=4
        assertThat(d.sequence(0)).containsExactly(1, 2, 3, 2);
        assertThat(d.sequence(1)).containsExactly(4, 2);
        assertThat(d.itemMap().original(1)).isEqualTo("z");
        assertThat(d.itemMap().original(4)).isEqualTo("y");
    }

    @Test
    void iterativeKcoreNeedsSeveralPasses() {
        // 2-core. Every item starts with 2 interactions. Pass 1 removes users u4 and u5 (one item each), which
        // leaves items c and d with one interaction each, so they go too; only then is u3 (who had c and d)
        // left with nothing, and pass 2 removes u3. One pass would keep u3; a third pass confirms stability.
        InteractionLog log = log(
                "u1,a,1", "u1,b,2",
                "u2,a,1", "u2,b,2",
                "u3,c,1", "u3,d,2",
                "u5,c,1",
                "u4,d,1");
        SequenceBuilder.Result r = SequenceBuilder.build("k", log, 2, Double.NaN);
        assertThat(r.report().kcorePasses()).isEqualTo(3);
        Dataset d = r.dataset();
        assertThat(d.numUsers()).isEqualTo(2);
        assertThat(d.numItems()).isEqualTo(2);
        assertThat(d.originalUserId(0)).isEqualTo("u1");
        assertThat(d.originalUserId(1)).isEqualTo("u2");
        for (int u = 0; u < d.numUsers(); u++) {
            assertThat(d.sequence(u)).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void kcoreResultIsStable() {
        InteractionLog log = new InteractionLog();
        SplitMix64 rng = new SplitMix64(7);
        for (int i = 0; i < 3000; i++) {
            log.add("u" + rng.nextInt(200), "i" + rng.nextInt(300), i, Float.NaN);
        }
        Dataset d = SequenceBuilder.build("r", log, 5, Double.NaN).dataset();
        int[] itemCount = new int[d.numItems() + 1];
        for (int u = 0; u < d.numUsers(); u++) {
            assertThat(d.sequence(u).length).isGreaterThanOrEqualTo(5);
            for (int item : d.sequence(u)) {
                itemCount[item]++;
            }
        }
        for (int i = 1; i <= d.numItems(); i++) {
            assertThat(itemCount[i]).as("item %d", i).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void minRatingFiltersRows() {
        InteractionLog log = new InteractionLog();
        log.add("u", "a", 1, 5f);
        log.add("u", "b", 2, 2f);
        log.add("u", "c", 3, 4f);
        SequenceBuilder.Result r = SequenceBuilder.build("m", log, 1, 4.0);
        assertThat(r.report().belowMinRating()).isEqualTo(1);
        assertThat(r.dataset().sequence(0)).containsExactly(1, 2);
    }

    @Test
    void everythingFilteredIsAnError() {
        assertThatThrownBy(() -> SequenceBuilder.build("e", log("u,a,1", "u,b,2"), 5, Double.NaN))
                .hasMessageContaining("empty dataset");
    }

    @Test
    void convertedDatasetRoundTripsThroughFmlpAndMaps() {
        InteractionLog log = log("bob,x,5", "bob,y,6", "bob,z,7", "ann,z,1", "ann,x,2", "ann,y,3");
        Dataset d = SequenceBuilder.build("rt", log, 1, Double.NaN).dataset();
        Path f = dir.resolve("rt.txt");
        d.save(f);
        Dataset back = FmlpReader.read(f);
        assertThat(back.fingerprint()).isEqualTo(d.fingerprint());
        assertThat(back.originalUserId(1)).isEqualTo("ann");
        assertThat(back.itemMap().original(back.sequence(1)[0])).isEqualTo("z");
    }

    @Test
    void reportCountsByHand() {
        // bob's only row is below the rating threshold, so bob has no rows at all; cat's (c, 2) is a duplicate
        InteractionLog log = new InteractionLog();
        log.add("ann", "a", 1, 5f);
        log.add("ann", "b", 2, 5f);
        log.add("bob", "a", 1, 1f);
        log.add("cat", "b", 1, 5f);
        log.add("cat", "c", 2, 5f);
        log.add("cat", "c", 2, 5f);
        SequenceBuilder.Result r = SequenceBuilder.build("rep", log, 1, 3.0);
        SequenceBuilder.Report rep = r.report();
        assertThat(rep.rows()).isEqualTo(6);
        assertThat(rep.belowMinRating()).isEqualTo(1);
        assertThat(rep.duplicates()).isEqualTo(1);
        assertThat(rep.usersBefore()).isEqualTo(2); // ann, cat: bob has nothing left
        assertThat(rep.itemsBefore()).isEqualTo(3); // a, b, c
        assertThat(rep.kcorePasses()).isZero(); // 1-core: nothing to filter
        assertThat(rep.users()).isEqualTo(2);
        assertThat(rep.items()).isEqualTo(3);
        assertThat(rep.interactions()).isEqualTo(4);
        assertThat(rep.toString()).contains("kept 2 users, 3 items, 4 interactions");
        // the user without rows is not a user of the dataset, not even with 1-core
        Dataset d = r.dataset();
        assertThat(d.numUsers()).isEqualTo(2);
        assertThat(d.originalUserId(0)).isEqualTo("ann");
        assertThat(d.originalUserId(1)).isEqualTo("cat");
        assertThat(d.sequence(1)).containsExactly(2, 3);
        assertThat(d.numInteractions()).isEqualTo(4);
    }
}
