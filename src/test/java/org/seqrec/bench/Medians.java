package org.seqrec.bench;

import java.util.Arrays;
import java.util.List;

/** The median every benchmark reports (the mean of the middle two of an even count; NaN for none). */
final class Medians {
    private Medians() {}

    static double of(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double of(List<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
