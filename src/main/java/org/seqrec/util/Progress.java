package org.seqrec.util;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars for long loops (data loading, evaluation, training, downloads), written to
 * stderr. Silenced with {@code -Dseqrec.progress=false} or the CLI's {@code --quiet}.
 */
public final class Progress {
    private static volatile boolean enabled = !"false".equals(System.getProperty("seqrec.progress"));

    private Progress() {}

    public static void setEnabled(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** A bar over {@code total} steps; a no-op bar when progress is off. Close it when done. */
    public static ProgressBar bar(String task, long total) {
        return bar(task, total, "");
    }

    public static ProgressBar bar(String task, long total, String unit) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate(); // elapsed / ETA shown: "(0:00:12 / 0:01:40)"
        if (!unit.isEmpty()) {
            b.setUnit(" " + unit, 1);
        }
        if (!enabled) {
            b.setConsumer(new ThrottledConsumer(Long.MAX_VALUE));
        } else if (System.console() == null) {
            // not a terminal (a log file, CI): a plain line every 30 s and one at the end, no carriage returns
            b.setConsumer(new ThrottledConsumer(30_000));
        }
        return b.build();
    }

    /** Prints the rendered bar as a whole line at most every {@code intervalMillis}, and once when closed. */
    private static final class ThrottledConsumer implements me.tongfei.progressbar.ProgressBarConsumer {
        private final long intervalMillis;
        private long last = System.currentTimeMillis();
        private String latest;

        ThrottledConsumer(long intervalMillis) {
            this.intervalMillis = intervalMillis;
        }

        @Override
        public int getMaxRenderedLength() {
            return 100;
        }

        @Override
        public void accept(String rendered) {
            latest = rendered;
            long now = System.currentTimeMillis();
            if (intervalMillis != Long.MAX_VALUE && now - last >= intervalMillis) {
                last = now;
                System.err.println(rendered.trim());
            }
        }

        @Override
        public void close() {
            if (intervalMillis != Long.MAX_VALUE && latest != null) {
                System.err.println(latest.trim());
            }
        }
    }
}
