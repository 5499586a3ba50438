package org.seqrec.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a report over runs computes and shows. Runs are grouped by (label, dataset, protocol); each
 * group gets the mean, standard deviation and 95% confidence interval of every metric over its seeds.
 *
 * @param name          the report's title (an experiment's name), or null
 * @param description   a paragraph under the title, or null
 * @param baseline      a label every other group of the same dataset and protocol is compared with over
 *                      matched seeds (mean difference, paired t-test), or null
 * @param baselineMeans figures every group is one-sample t-tested against, per metric, or null
 * @param paper         a reference file of a paper's figures ({@code bench/paper/*.json}), or null
 * @param paperSection  where in it one dataset's models are ({@link #DEFAULT_PAPER_SECTION}), or null for the default
 * @param metrics       the metrics shown, or null for the first run's protocol's reported metrics
 * @param layouts       the tables written besides the rows of {@code results.md}
 * @param markers       the papers' significance markers, or null
 * @param plot          a line plot, or null
 */
public record ReportSpec(String name, String description, String baseline, Map<String, Double> baselineMeans, Path paper,
        String paperSection, List<String> metrics, List<Layout> layouts, Markers markers, Plot plot) {

    /** Where a reference file keeps a dataset's figures unless told otherwise: {@code {"sampled": {DATASET: {MODEL: ...}}}}. */
    public static final String DEFAULT_PAPER_SECTION = "{protocol}/{dataset}";

    /** The tables of {@code seqrec report}: every run, then per model the mean ± sd and differences, the orderings, the cost. */
    public static ReportSpec runs(Path paper, String paperSection, String baseline) {
        return new ReportSpec(null, null, baseline, null, paper, paperSection, null, List.of(), null, null);
    }

    public String paperSectionOrDefault() {
        return paperSection == null ? DEFAULT_PAPER_SECTION : paperSection;
    }

    /** Extra tables of an experiment. */
    public enum Layout {
        /** The papers' layout ({@code results-table.md}): a row per dataset, protocol and metric, a column per configuration. */
        COLUMNS,
        /** The tables of {@code seqrec report} per protocol ({@code report-PROTOCOL.md}): runs, summary with differences, orderings, cost. */
        RUNS
    }

    /**
     * The papers' significance markers: for every dataset, protocol and metric, {@code target}'s seeds
     * are tested against the best other configuration (the highest mean), by a {@code one-sample}
     * t-test against that mean (ConvFormer Table 3) or a {@code paired} t-test over matched seeds
     * (Table 7); where {@code target} is better, a cell gets one {@code *} per level of {@code levels}
     * that p falls under (Table 3: [0.05, 0.001]; Table 7: [0.01]).
     */
    public record Markers(String target, String test, List<Double> levels) {
        public boolean paired() {
            return "paired".equals(test);
        }

        public List<Double> levelsOrDefault() {
            return levels == null || levels.isEmpty() ? List.of(0.05, 0.001) : levels;
        }
    }

    /** A line plot: {@code metric} (mean over seeds) against the grid parameter {@code x}, one line per value of {@code series}. */
    public record Plot(String x, String series, String metric) {}
}
