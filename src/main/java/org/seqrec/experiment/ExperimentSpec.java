package org.seqrec.experiment;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.seqrec.data.DataSource;
import org.seqrec.report.ReportSpec;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * data_options: {format: csv, delimiter: ";", user_col: visitor, time_format: "dd/MM/yyyy HH:mm", kcore: 2, max_errors: 10}
 * </pre>
 *
 * <p>Runs are trained under {@code out} (default {@code out/NAME} beside the spec: weights, checkpoints, negatives; not
 * versioned). Each finished run's small files (config, results, per-epoch history, cost, dataset fingerprint) are kept
 * under {@code results} (default {@code results/NAME} beside the spec, which is versioned) in {@code runs/RUN/}, and the
 * report is written there: a run kept there counts as finished although its run directory is gone, so a study runs
 * over many sessions and machines, and its tables always cover every run that ever finished.
 *
 * <p>{@code data_options} takes every data option of the command line, in snake_case or as the flag is
 * spelled ({@code user_col} or {@code user-col}); see {@link #DATA_OPTIONS}. Paths ({@code data},
 * {@code out}, {@code report.paper}, {@code data_options.rejects}) are relative to the spec file's
 * folder; a path that exists only relative to the working directory (the rule before issue 17) is
 * taken from there, with a warning.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ExperimentSpec(String name, String description, List<String> data, List<String> protocols, List<Long> seeds,
        List<ModelEntry> models, String out, Report report, @JsonProperty("data_options") Map<String, Object> dataOptions,
        String results) {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentSpec.class);

    /** The keys {@code data_options} takes: the data options of the command line. */
    public static final Set<String> DATA_OPTIONS = Set.of("format", "delimiter", "header", "user_col", "item_col", "time_col",
            "rating_col", "time_format", "kcore", "min_rating", "max_errors", "rejects");

    /** A spec without data options (the shape before issue 17). */
    public ExperimentSpec(String name, String description, List<String> data, List<String> protocols, List<Long> seeds,
            List<ModelEntry> models, String out, Report report) {
        this(name, description, data, protocols, seeds, models, out, report, null, null);
    }

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
        return spec.resolvedAgainst(file);
    }

    /** The spec with its paths absolute: relative to the spec file's folder, or to the working directory where only that exists. */
    ExperimentSpec resolvedAgainst(Path file) {
        Path base = file.toAbsolutePath().getParent();
        List<String> paths = new ArrayList<>();
        for (String d : data) {
            paths.add(resolve(file, base, d, "data"));
        }
        Report r = report;
        if (r != null && r.paper() != null) {
            r = new Report(r.baseline(), r.baselineMeans(), resolve(file, base, r.paper(), "report.paper"), r.paperSection(), r.plot(),
                    r.metrics(), r.layout(), r.markers());
        }
        Map<String, Object> opts = dataOptions == null ? null : new LinkedHashMap<>(dataOptions);
        if (opts != null && opts.get("rejects") != null) {
            opts.put("rejects", resolve(file, base, opts.get("rejects").toString(), "data_options.rejects"));
        }
        String kept = results != null ? resolve(file, base, results, "results")
                : base.resolve("results").resolve(name).normalize().toString();
        return new ExperimentSpec(name, description, paths, protocols, seeds, models, out == null ? null : resolve(file, base, out, "out"),
                r, opts, kept);
    }

    private static String resolve(Path spec, Path base, String p, String what) {
        Path given = Path.of(p);
        if (given.isAbsolute()) {
            return given.normalize().toString();
        }
        Path bySpec = base.resolve(given).normalize();
        Path byCwd = given.toAbsolutePath().normalize();
        if (!Files.exists(bySpec) && Files.exists(byCwd) && !bySpec.equals(byCwd)) {
            LOG.warn("{}: {} '{}' is read relative to the working directory ({}); paths in a spec are relative to the spec file, "
                    + "write '{}'", spec, what, p, byCwd, base.relativize(byCwd));
            return byCwd.toString();
        }
        return bySpec.toString();
    }

    /** How to read {@code path}: the CLI's defaults (format from the name, 5-core) overridden by {@code data_options}. */
    public DataSource dataSource(String path) {
        Map<String, Object> o = normalizedDataOptions(dataOptions);
        Object minRating = o.get("min_rating");
        return new DataSource(Path.of(path).toAbsolutePath().normalize().toString(), str(o.get("format"), "auto"), str(o.get("delimiter"), null),
                o.get("header") == null ? null : (Boolean) o.get("header"), str(o.get("user_col"), null), str(o.get("item_col"), null),
                str(o.get("time_col"), null), str(o.get("rating_col"), null), o.get("kcore") == null ? 5 : ((Number) o.get("kcore")).intValue(),
                minRating == null ? Double.NaN : ((Number) minRating).doubleValue(), str(o.get("time_format"), null),
                o.get("max_errors") == null || ((Number) o.get("max_errors")).intValue() == 0 ? null : ((Number) o.get("max_errors")).intValue(),
                str(o.get("rejects"), null));
    }

    private static String str(Object v, String dflt) {
        return v == null ? dflt : v.toString();
    }

    /** Keys in snake_case ({@code user-col} becomes {@code user_col}). */
    private static Map<String, Object> normalizedDataOptions(Map<String, Object> opts) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (opts != null) {
            opts.forEach((k, v) -> o.put(k.replace('-', '_').toLowerCase(Locale.ROOT), v));
        }
        return o;
    }

    private void checkDataOptions(Path file) {
        if (dataOptions == null) {
            return;
        }
        for (Map.Entry<String, Object> e : normalizedDataOptions(dataOptions).entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (!DATA_OPTIONS.contains(k)) {
                throw new SeqrecException(file + ": unknown data option '" + k + "' in data_options (known: "
                        + String.join(", ", DATA_OPTIONS.stream().sorted().toList()) + ")");
            }
            boolean ok = switch (k) {
                case "kcore", "max_errors" -> v instanceof Integer || v instanceof Long;
                case "min_rating" -> v instanceof Number;
                case "header" -> v instanceof Boolean;
                default -> v instanceof String || v instanceof Number;
            };
            if (!ok) {
                throw new SeqrecException(file + ": data option '" + k + "' has the value " + v + ", expected "
                        + switch (k) {
                            case "kcore", "max_errors" -> "a whole number";
                            case "min_rating" -> "a number";
                            case "header" -> "true or false";
                            default -> "text";
                        });
            }
        }
        try {
            dataSource(data.get(0)).logFormat(); // an unknown format is named now, not after the first run
        } catch (SeqrecException e) {
            throw new SeqrecException(file + ": data_options: " + e.getMessage(), e);
        }
    }

    /** The plot's {@code x} must be a grid parameter and its {@code series} a parameter of every model that sweeps x. */
    private void checkPlot(Path file) {
        ReportSpec.Plot plot = report == null ? null : report.plot();
        if (plot == null) {
            return;
        }
        Set<String> gridKeys = new LinkedHashSet<>();
        for (ModelEntry m : models) {
            if (m.grid() != null) {
                gridKeys.addAll(m.grid().keySet());
            }
        }
        if (plot.x() == null || !gridKeys.contains(plot.x())) {
            throw new SeqrecException(file + ": plot x '" + plot.x() + "' is not a grid parameter (grid parameters: "
                    + (gridKeys.isEmpty() ? "none" : String.join(", ", gridKeys)) + ")");
        }
        if (plot.series() != null) {
            for (ModelEntry m : models) {
                if (m.grid() == null || !m.grid().containsKey(plot.x())) {
                    continue;
                }
                Set<String> known = new LinkedHashSet<>(m.grid().keySet());
                if (m.params() != null) {
                    known.addAll(m.params().keySet());
                }
                known.remove(plot.x());
                if (!known.contains(plot.series())) {
                    throw new SeqrecException(file + ": plot series '" + plot.series() + "' is not a parameter of model '" + m.model()
                            + "' (its grid and params: " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
                }
            }
        }
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
        checkDataOptions(file);
        checkPlot(file);
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
