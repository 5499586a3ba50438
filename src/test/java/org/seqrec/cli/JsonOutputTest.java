package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;

/** {@code --json} on train, evaluate, recommend and report prints one JSON document with what the tables show. */
class JsonOutputTest {
    @TempDir
    Path dir;

    static JsonNode json(Fixtures.CliResult r) throws Exception {
        assertThat(r.exitCode()).as(r.err()).isZero();
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void everySurfacePrintsJson() throws Exception {
        Path data = dir.resolve("cycles.txt");
        Synthetic.repeatedCycles(40, 120, 4, 6, 12, 2).writeFmlp(data);
        Path run = dir.resolve("pop");
        JsonNode train = json(Fixtures.cli("train", "--model", "pop", "--data", data.toString(), "--out", run.toString(), "--json"));
        JsonNode saved = Json.read(run.resolve("results.json"));
        assertThat(train.path("run").asText()).isEqualTo(run.toString());
        assertThat(train.path("results").path("test")).isEqualTo(saved.path("test"));
        assertThat(train.path("results").path("protocol").asText()).isEqualTo("full");

        JsonNode eval = json(Fixtures.cli("evaluate", "--run", run.toString(), "--protocol", "sampled", "--json"));
        assertThat(eval.path("protocol").asText()).isEqualTo("sampled");
        assertThat(eval.path("test")).isEqualTo(Json.read(run.resolve("results-sampled.json")).path("test"));

        JsonNode rec = json(Fixtures.cli("recommend", "--run", run.toString(), "--history", "1,2", "--k", "3", "--json"));
        Fixtures.CliResult table = Fixtures.cli("recommend", "--run", run.toString(), "--history", "1,2", "--k", "3");
        List<String> ids = new ArrayList<>();
        rec.path("items").forEach(i -> ids.add(i.path("id").asText()));
        assertThat(ids).hasSize(3).isEqualTo(table.out().lines().skip(1).map(l -> l.split("\t")[1]).toList());

        JsonNode report = json(Fixtures.cli("report", "--runs", run.toString(), "--protocol", "full", "--json"));
        assertThat(report.path("runs")).hasSize(1);
    }
}
