package org.seqrec.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A synthetic interaction log of a chosen size, shaped like the ConvFormer paper's industrial (Xbox) set
 * at full size: 674K users, 19.3M actions, 40K items. Users' history lengths are geometric with the
 * mean {@code actions / users}, at least 5 (so that the 5-core filter keeps every user); items follow a
 * Zipf-like popularity ({@code (rank + 10)^-0.9}); each user's timestamps increase from a random start.
 * Written as CSV {@code user,item,time} in user order (the converter sorts by time anyway).
 *
 * <p>Usage: {@code SyntheticLog OUT.csv USERS ACTIONS ITEMS SEED}; prints the rows written.
 */
public final class SyntheticLog {
    private SyntheticLog() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int users = Integer.parseInt(args[1]);
        long actions = Long.parseLong(args[2]);
        int items = Integer.parseInt(args[3]);
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[4]));
        double[] cdf = new double[items];
        double total = 0;
        for (int i = 0; i < items; i++) {
            total += Math.pow(i + 10, -0.9);
            cdf[i] = total;
        }
        double extra = Math.max(1e-9, (double) actions / users - 5); // mean length above the minimum of 5
        double q = Math.log(1 - 1 / (extra + 1)); // geometric on 0, 1, ... with mean `extra`
        long rows = 0;
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.US_ASCII)) {
            w.write("user,item,time\n");
            StringBuilder line = new StringBuilder(64);
            for (int u = 0; u < users; u++) {
                int len = 5 + (int) (Math.log(1 - rnd.nextDouble()) / q);
                long time = 1_500_000_000L + rnd.nextInt(100_000_000);
                for (int j = 0; j < len; j++) {
                    int at = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * total);
                    int item = Math.min(items - 1, at < 0 ? -at - 1 : at);
                    time += 1 + rnd.nextInt(86_400);
                    line.setLength(0);
                    line.append('u').append(u).append(",i").append(item).append(',').append(time).append('\n');
                    w.append(line);
                    rows++;
                }
            }
        }
        System.out.println(rows);
    }
}
