package org.seqrec.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Statistics of one sample of seeds' values: mean, sample standard deviation and the 95% confidence
 * interval of the mean (Student's t); sd and interval are NaN with one value.
 */
public record Stats(int n, double mean, double sd, double ciLow, double ciHigh) {
    public static Stats of(double[] v) {
        SummaryStatistics s = summary(v);
        double sd = v.length > 1 ? s.getStandardDeviation() : Double.NaN;
        double half = v.length > 1 ? new TDistribution(v.length - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(v.length)
                : Double.NaN;
        return new Stats(v.length, s.getMean(), sd, s.getMean() - half, s.getMean() + half);
    }

    /**
     * Two-sided paired t-test p of {@code a} against {@code b} (same length, matched); NaN with fewer
     * than 2 pairs or differences that are equal up to rounding (t undefined).
     */
    public static double pairedP(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return undefined(d) ? Double.NaN : new TTest().pairedTTest(a, b);
    }

    /** Two-sided one-sample t-test p of {@code a} against the mean {@code mu}; NaN when t is undefined. */
    public static double oneSampleP(double[] a, double mu) {
        return undefined(a) ? Double.NaN : new TTest().tTest(mu, a);
    }

    /** Fewer than 2 values, or a spread within rounding of the values' size. */
    private static boolean undefined(double[] v) {
        if (v.length < 2) {
            return true;
        }
        SummaryStatistics s = summary(v);
        return s.getStandardDeviation() <= 1e-12 * Math.max(1, Math.abs(s.getMean()));
    }

    private static SummaryStatistics summary(double[] v) {
        SummaryStatistics s = new SummaryStatistics();
        for (double x : v) {
            s.addValue(x);
        }
        return s;
    }
}
