package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.Evaluator;
import org.seqrec.eval.Protocol;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.run.RunDir;
import org.seqrec.testutil.Gradients;
import org.seqrec.testutil.Killing;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * README: "killed? the same command with --resume continues from the last completed epoch, with the
 * same end result", for every training regime (the prefix regime has its own test in
 * ConvFormerTrainingTest): all-positions (SASRec), Cloze (BERT4Rec, random masks), prefix-CE
 * (ConvFormer under softmax cross-entropy), all-positions-CE (LRURec, with dropout), a model's own (CLEA: killed in its first generator epoch, with Gumbel
 * noise and only the generator's weights updated). A run killed in the middle of epoch 3 and resumed ends with
 * bit-identical weights and the same history as an uninterrupted run.
 */
class ResumeAcrossRegimesTest {
    @TempDir Path dir;

    private static Map<String, Object> settings(String regime) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("hidden", 16);
        p.put("max_len", 10);
        p.put("layers", 1);
        p.put("lr", 5e-3);
        p.put("batch", 32);
        p.put("epochs", 4);
        p.put("patience", 10);
        if (!regime.isEmpty()) {
            p.put("regime", regime);
        }
        return p;
    }

    private float[] fit(String model, String regimeName, Path run, boolean kill, boolean resume, LeaveOneOut split,
            List<JsonNode> history) throws Exception {
        Files.createDirectories(run.resolve("model"));
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(ModelRegistry.get(model)));
        params.putAll(settings(regimeName));
        if (model.equals("convformer")) {
            params.put("kernel", 3);
        }
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get(model);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            NeuralSeqModel net = spec.build(m, split.data().numItems(), params);
            Regime regime = Training.regime(spec, params);
            Evaluator validation = new Evaluator(split, Protocol.FULL, null, 64);
            TrainContext ctx = new TrainContext(split, params, 5, m, new RunDir(run).trainFiles(), validation, resume);
            new Trainer(ctx).onEpoch(history::add).fit(net, kill ? Killing.at(regime, 3, 2) : regime);
            return Gradients.flatWeights(net.params());
        }
    }

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({"sasrec, all-positions, ''", "bert4rec, cloze, ''", "convformer, prefix-CE, prefix-CE", "clea, clea, ''", "lrurec, all-positions-CE, ''"})
    void aKilledRunResumesToTheSameWeightsAndHistory(String model, String expectedRegime, String regimeParam) throws Exception {
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(80, 30, 4, 6, 12, 7));
        List<JsonNode> straightHistory = new ArrayList<>();
        float[] straight = fit(model, regimeParam, dir.resolve("a"), false, false, split, straightHistory);
        assertThat(straightHistory.get(0).path("regime").asText()).isEqualTo(expectedRegime);
        assertThatThrownBy(() -> fit(model, regimeParam, dir.resolve("b"), true, false, split, new ArrayList<>()))
                .isInstanceOf(Killing.Killed.class);
        assertThat(Json.read(dir.resolve("b/checkpoint/state.json")).path("epoch").asInt()).isEqualTo(2);
        List<JsonNode> resumedHistory = new ArrayList<>();
        float[] resumed = fit(model, regimeParam, dir.resolve("b"), false, true, split, resumedHistory);
        assertThat(resumedHistory).hasSize(2); // epochs 3 and 4 only
        assertThat(resumed).containsExactly(straight);
        for (int i = 0; i < 2; i++) {
            assertThat(resumedHistory.get(i).path("loss").asDouble()).isEqualTo(straightHistory.get(i + 2).path("loss").asDouble());
            assertThat(resumedHistory.get(i).path("valid")).isEqualTo(straightHistory.get(i + 2).path("valid"));
        }
    }

    @Test
    void aRunIsNotResumedInAnotherRegimeThanItTrainedIn() throws Exception {
        // the case of a model whose default regime changed between versions: the checkpoint's history says prefix-CE
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(80, 30, 4, 6, 12, 7));
        assertThatThrownBy(() -> fit("sasrec", "prefix-CE", dir.resolve("c"), true, false, split, new ArrayList<>()))
                .isInstanceOf(Killing.Killed.class);
        assertThatThrownBy(() -> fit("sasrec", "", dir.resolve("c"), false, true, split, new ArrayList<>()))
                .isInstanceOf(SeqrecException.class)
                .hasMessageContaining("trained in regime prefix-CE up to epoch 2")
                .hasMessageContaining("train in all-positions")
                .hasMessageContaining("--param regime=prefix-CE");
        List<JsonNode> finished = new ArrayList<>();
        fit("sasrec", "prefix-CE", dir.resolve("c"), false, true, split, finished); // as it began: it resumes
        assertThat(finished).hasSize(2);
    }
}
