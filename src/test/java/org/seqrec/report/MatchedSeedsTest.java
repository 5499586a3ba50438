package org.seqrec.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatchedSeedsTest {

    private static Map<String, Double> test(double hr) {
        return Map.of("HR@10", hr);
    }

    private static Map<Long, Map<String, Double>> runs(long[] seeds, double[] hr) {
        Map<Long, Map<String, Double>> m = new LinkedHashMap<>();
        for (int i = 0; i < seeds.length; i++) {
            m.put(seeds[i], test(hr[i]));
        }
        return m;
    }

    @Test
    void pairsOnlySharedSeedsInTheFirstGroupsOrder() {
        MatchedSeeds p = MatchedSeeds.of(
                runs(new long[] {2, 42, 7, 1}, new double[] {0.50, 0.52, 0.90, 0.47}),
                runs(new long[] {1, 2, 42, 5}, new double[] {0.45, 0.49, 0.50, 0.10}));
        assertThat(p.seeds()).containsExactly(2L, 42L, 1L);
        // differences 0.01, 0.02, 0.02: seeds 7 and 5 have no partner and do not count
        assertThat(p.meanDifference("HR@10")).isCloseTo(0.05 / 3, within(1e-12));
        // by hand: d = (0.01, 0.02, 0.02), mean 0.05/3, sd = sqrt(((0.01-m)^2 + 2 (0.02-m)^2) / 2) = 0.0057735,
        // t = m / (sd / sqrt 3) = 5.0 exactly, df 2: two-sided p = 1 - t / sqrt(t^2 + 2) = 1 - 5 / sqrt 27 = 0.0377...
        double expected = 1 - 5 / Math.sqrt(27);
        assertThat(p.pairedP("HR@10")).isCloseTo(expected, within(1e-9));
    }

    @Test
    void undefinedWithoutEnoughPairs() {
        MatchedSeeds none = MatchedSeeds.of(runs(new long[] {1}, new double[] {0.5}), runs(new long[] {2}, new double[] {0.4}));
        assertThat(none.seeds()).isEmpty();
        assertThat(none.meanDifference("HR@10")).isNaN();
        MatchedSeeds one = MatchedSeeds.of(runs(new long[] {1}, new double[] {0.5}), runs(new long[] {1}, new double[] {0.4}));
        assertThat(one.meanDifference("HR@10")).isCloseTo(0.1, within(1e-12));
        assertThat(one.pairedP("HR@10")).isNaN();
    }
}
