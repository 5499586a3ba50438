package org.seqrec.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * The seeds two groups of runs share, each with both groups' test metrics, in the first group's
 * order: what a paired comparison (mean difference, paired t-test) is computed over.
 *
 * @param seeds the matched seeds
 * @param mine  the first group's test metrics at those seeds
 * @param theirs the second group's test metrics at those seeds
 */
public record MatchedSeeds(List<Long> seeds, List<Map<String, Double>> mine, List<Map<String, Double>> theirs) {

    /** Matches two maps of test metrics ({@code {"HR@10": ..., ...}}) by seed. */
    public static MatchedSeeds of(Map<Long, Map<String, Double>> mine, Map<Long, Map<String, Double>> theirs) {
        List<Long> seeds = new ArrayList<>();
        List<Map<String, Double>> a = new ArrayList<>();
        List<Map<String, Double>> b = new ArrayList<>();
        mine.forEach((seed, t) -> {
            Map<String, Double> other = theirs.get(seed);
            if (other != null) {
                seeds.add(seed);
                a.add(t);
                b.add(other);
            }
        });
        return new MatchedSeeds(List.copyOf(seeds), List.copyOf(a), List.copyOf(b));
    }

    static double[] values(List<Map<String, Double>> tests, String metric) {
        return tests.stream().mapToDouble(t -> t.getOrDefault(metric, 0.0)).toArray();
    }

    /** Two-sided paired t-test p of {@code metric}; NaN with fewer than 2 pairs (see {@link Stats#pairedP}). */
    public double pairedP(String metric) {
        return Stats.pairedP(values(mine, metric), values(theirs, metric));
    }

    /** Mean of (mine - theirs) for {@code metric}; NaN with no matched seed. */
    public double meanDifference(String metric) {
        double[] a = values(mine, metric);
        double[] b = values(theirs, metric);
        DescriptiveStatistics d = new DescriptiveStatistics();
        for (int i = 0; i < a.length; i++) {
            d.addValue(a[i] - b[i]);
        }
        return a.length == 0 ? Double.NaN : d.getMean();
    }
}
