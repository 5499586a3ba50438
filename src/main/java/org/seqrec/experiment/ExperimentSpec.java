package org.seqrec.experiment;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.seqrec.report.ReportSpec;
import org.seqrec.util.SeqrecException;

/**
 * An experiment: models (each with fixed params and a grid of values to sweep), datasets,
 * protocols and seeds; every combination is one run. Read from YAML or JSON:
 *
 * <pre>
 * name: kernel-sweep-beauty
 * description: ConvFormer MRR against K for the three paddings (paper Figure 5), CPU-sized
 * data: [../shared/data/fmlp/Beauty.txt]
 * protocols: [sampled]
 * seeds: [42, 1, 2]
 * models:
 *   - model: convformer
 *     params: {epochs: 30}
 *     presets: {Beauty: beauty}   # per dataset, the model's preset (train --preset) under its params
 *     grid: {kernel: [5, 15, 25, 35, 45], padding: [circular, reflect, zero]}
 * report:
 *   baseline: "convformer kernel=45 padding=circular"   # paired t-tests against this configuration
 *   paper: bench/paper/convformer.json                   # the paper's figure beside each model, one-sample t-tests
 *   paperSection: "{protocol}/{dataset}"                 # where in it (the SAR study: sar_study/{dataset}/layers=2)
 *   plot: {x: kernel, series: padding, metric: MRR}
 *   layout: columns          # also results-table.md: a row per dataset and metric, a column per configuration;
 *                            # runs: also report-PROTOCOL.md, the tables of seqrec report; or [columns, runs]
 *   markers: {target: "convformer kernel=45 padding=circular", test: one-sample, levels: [0.05, 0.001]}
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ExperimentSpec(String name, String description, List<String> data, List<String> protocols, List<Long> seeds,
        List<ModelEntry> models, String out, Report report) {

    /**
     * One model: fixed params, a grid (every combination of the listed values is a configuration) and
     * per dataset name a preset of the model ({@code presets: {Beauty: beauty, Toys_and_Games: toys}},
     * as {@code train --preset}) that the params lie over.
     */
    public record ModelEntry(String model, Map<String, Object> params, Map<String, List<Object>> grid, Map<String, String> presets) {}

    /**
     * What the report shows: {@code baseline}, a configuration every other is paired-t-tested against;
     * {@code baselineMeans}, figures every configuration is one-sample-t-tested against; {@code paper}, a
     * paper-figures file ({@code bench/paper/*.json}: protocol, dataset, model, metric) whose figure for
     * each row's model is shown beside it, with a one-sample t-test of the seeds against it, found at
     * {@code paperSection} ({@link ReportSpec#DEFAULT_PAPER_SECTION} unless given); {@code layout}:
     * {@code columns} (the papers' layout, Table 3 of ConvFormer, Table 2 of AdaMCT: a row per dataset
     * and metric, a column per configuration), {@code runs} (the tables of {@code seqrec report}: every
     * run, differences from the baseline beside the paper's, orderings, training cost), or a list of both;
     * {@code markers}, {@code plot}: see {@link ReportSpec}.
     */
    public record Report(String baseline, Map<String, Double> baselineMeans, String paper, String paperSection, ReportSpec.Plot plot,
            List<String> metrics, @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> layout,
            ReportSpec.Markers markers) {}

    /** The report's spec: the section {@code report:} (or none), titled with the experiment's name and description. */
    public ReportSpec reportSpec() {
        Report r = report == null ? new Report(null, null, null, null, null, null, null, null) : report;
        List<ReportSpec.Layout> layouts = r.layout() == null ? List.of()
                : r.layout().stream().map(l -> ReportSpec.Layout.valueOf(l.toUpperCase(java.util.Locale.ROOT))).toList();
        return new ReportSpec(name, description, r.baseline(), r.baselineMeans(), r.paper() == null ? null : Path.of(r.paper()),
                r.paperSection(), r.metrics(), layouts, r.markers(), r.plot());
    }

    public static ExperimentSpec read(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        ExperimentSpec spec;
        try {
            spec = mapper.readValue(file.toFile(), ExperimentSpec.class);
        } catch (IOException e) {
            throw new SeqrecException("cannot read experiment " + file + ": " + e.getMessage(), e);
        }
        spec.check(file);
        return spec;
    }

    private void check(Path file) {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new SeqrecException(file + ": 'name' must be a word of letters, digits, '.', '_' or '-'");
        }
        if (data == null || data.isEmpty() || models == null || models.isEmpty()) {
            throw new SeqrecException(file + ": 'data' and 'models' must list at least one entry");
        }
        if (seeds != null && seeds.isEmpty()) {
            throw new SeqrecException(file + ": 'seeds' is an empty list: give at least one seed, or leave it out for seed 42");
        }
        if (protocols != null && protocols.isEmpty()) {
            throw new SeqrecException(file + ": 'protocols' is an empty list: give at least one, or leave it out for sampled");
        }
        for (ModelEntry m : models) {
            if (m.model() == null) {
                throw new SeqrecException(file + ": every entry of 'models' needs 'model'");
            }
        }
        if (report != null && report.layout() != null
                && !report.layout().stream().allMatch(l -> l.equals("columns") || l.equals("runs"))) {
            throw new SeqrecException(file + ": 'layout' is columns, runs or a list of both, not " + report.layout());
        }
        if (report != null && report.markers() != null) {
            ReportSpec.Markers mk = report.markers();
            if (mk.target() == null || !(mk.test() == null || mk.test().equals("paired") || mk.test().equals("one-sample"))) {
                throw new SeqrecException(file + ": 'markers' needs 'target' (a configuration) and 'test': one-sample or paired");
            }
        }
    }

    public List<String> protocolsOrDefault() {
        return protocols == null || protocols.isEmpty() ? List.of("sampled") : protocols;
    }

    public List<Long> seedsOrDefault() {
        return seeds == null || seeds.isEmpty() ? List.of(42L) : seeds;
    }
}
