package org.seqrec.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.Dataset;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/** Data options in a spec, paths relative to the spec file, the plot's series checked (issue 17, finding 6). */
class ExperimentSpecTest {
    @TempDir Path dir;

    /** A semicolon log with its own column names and day-first dates: 12 users, items a..f. */
    private Path shopLog() {
        StringBuilder sb = new StringBuilder("visitor;sku;when\n");
        for (int u = 0; u < 12; u++) {
            for (int k = 0; k < 4; k++) {
                // day k+1 of January; items rotate so each user has 4 distinct ones
                sb.append("v").append(u).append(';').append((char) ('a' + (u + k) % 6)).append(';')
                        .append(String.format("%02d/01/2024", 4 - k)).append('\n');
            }
        }
        return Fixtures.write(dir, "logs/shop.csv", sb.toString());
    }

    private Path spec(String name, String... lines) {
        return Fixtures.write(dir, "specs/" + name, String.join("\n", lines) + "\n");
    }

    @Test
    void dataOptionsReachTheReader() {
        shopLog();
        Path spec = spec("shop.yaml", "name: shop", "data: [../logs/shop.csv]", "protocols: [full]",
                "models:", "  - model: pop",
                "data_options: {delimiter: ';', user-col: visitor, item_col: sku, time_col: when, time_format: dd/MM/yyyy, kcore: 1}");
        ExperimentSpec s = ExperimentSpec.read(spec);
        assertThat(s.data()).containsExactly(dir.resolve("logs/shop.csv").toString());
        Dataset d = s.dataSource(s.data().get(0)).load();
        assertThat(d.numUsers()).isEqualTo(12);
        // v0 wrote a (4 Jan), b (3 Jan), c (2 Jan), d (1 Jan): in time order d, c, b, a
        List<String> v0 = java.util.Arrays.stream(d.sequence(0)).mapToObj(i -> d.itemMap().original(i)).toList();
        assertThat(d.originalUserId(0)).isEqualTo("v0");
        assertThat(v0).containsExactly("d", "c", "b", "a");
    }

    @Test
    void aSpecWithDataOptionsRunsEndToEnd() throws Exception {
        shopLog();
        Path spec = spec("shop.yaml", "name: shop", "data: [../logs/shop.csv]", "protocols: [full]", "out: ../exp",
                "models:", "  - model: pop",
                "data_options: {user_col: visitor, item_col: sku, time_col: when, time_format: dd/MM/yyyy, kcore: 1}");
        Fixtures.CliResult r = Fixtures.cli("experiment", spec.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path run = dir.resolve("exp/runs/pop-shop-full-seed42");
        JsonNode config = Json.read(run.resolve("config.json"));
        assertThat(config.toString()).contains("\"userCol\":\"visitor\"").contains("\"kcore\":1").contains("dd/MM/yyyy");
        assertThat(Files.exists(dir.resolve("specs/results/shop/results.md"))).isTrue(); // the tables beside the kept runs
        assertThat(Files.exists(dir.resolve("specs/results/shop/runs/pop-shop-full-seed42/results-full.json"))).isTrue();
    }

    @Test
    void unknownOrMistypedDataOptionsAreRefused() {
        Path a = spec("a.yaml", "name: a", "data: [x.csv]", "models: [{model: pop}]", "data_options: {kcores: 2}");
        assertThatThrownBy(() -> ExperimentSpec.read(a)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("unknown data option 'kcores'").hasMessageContaining("kcore, max_errors");
        Path b = spec("b.yaml", "name: b", "data: [x.csv]", "models: [{model: pop}]", "data_options: {kcore: five}");
        assertThatThrownBy(() -> ExperimentSpec.read(b)).hasMessageContaining("data option 'kcore' has the value five, expected a whole number");
        Path c = spec("c.yaml", "name: c", "data: [x.csv]", "models: [{model: pop}]", "data_options: {format: xlsx}");
        assertThatThrownBy(() -> ExperimentSpec.read(c)).hasMessageContaining("unknown log format 'xlsx'");
    }

    @Test
    void pathsAreRelativeToTheSpecWithAWorkingDirectoryFallback() {
        shopLog();
        Path spec = spec("p.yaml", "name: p", "data: [../logs/shop.csv]", "out: results/p", "models: [{model: pop}]",
                "report: {paper: bench/paper/convformer.json}");
        ExperimentSpec s = ExperimentSpec.read(spec);
        assertThat(s.out()).isEqualTo(dir.resolve("specs/results/p").toString());
        assertThat(Experiment.folder(s, spec)).isEqualTo(dir.resolve("specs/results/p"));
        // bench/paper/convformer.json is not beside the spec; it exists relative to the working directory (the repository)
        assertThat(s.report().paper()).isEqualTo(Path.of("bench/paper/convformer.json").toAbsolutePath().normalize().toString());
    }

    @Test
    void plotSeriesAndXMustBeParameters() {
        Path bad = spec("s.yaml", "name: s", "data: [x.txt]", "models:", "  - model: convformer", "    grid: {kernel: [3, 5]}",
                "report: {plot: {x: kernel, series: padding, metric: MRR}}");
        assertThatThrownBy(() -> ExperimentSpec.read(bad)).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("plot series 'padding' is not a parameter of model 'convformer' (its grid and params: none)");
        Path badX = spec("x.yaml", "name: x", "data: [x.txt]", "models:", "  - model: convformer", "    grid: {kernel: [3, 5]}",
                "report: {plot: {x: kernl, metric: MRR}}");
        assertThatThrownBy(() -> ExperimentSpec.read(badX)).hasMessageContaining("plot x 'kernl' is not a grid parameter (grid parameters: kernel)");
        Path ok = spec("ok.yaml", "name: ok", "data: [x.txt]", "models:", "  - model: convformer", "    params: {padding: zero}",
                "    grid: {kernel: [3, 5]}", "report: {plot: {x: kernel, series: padding, metric: MRR}}");
        assertThat(ExperimentSpec.read(ok).report().plot().series()).isEqualTo("padding");
    }
}
