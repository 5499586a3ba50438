package org.seqrec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.Protocol;
import org.seqrec.model.zoo.ConvFormer;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.run.NegativesChoice;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Synthetic;
import org.seqrec.train.Training;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;

/**
 * What every neural model in the registry must do, on a tiny fixture: score shapes, finite
 * outputs, a training loss that falls, and a saved run that scores exactly as the trained model.
 */
class ModelContractTest {
    @TempDir Path dir;

    @BeforeAll
    static void quiet() {
        Progress.setEnabled(false);
    }

    static Stream<String> neuralModels() {
        return StreamSupport.stream(ModelRegistry.names().spliterator(), false)
                .filter(n -> ModelRegistry.get(n) instanceof NeuralSpec);
    }

    /** Small settings, only the keys the model knows. */
    static Map<String, Object> small(String model, int epochs) {
        Map<String, Object> wanted = new LinkedHashMap<>();
        wanted.put("hidden", 16);
        wanted.put("max_len", 8);
        wanted.put("kernel", 3); // odd: AdaMCT pads (k-1)/2 on both sides
        wanted.put("dropout", 0.1);
        wanted.put("attn_dropout", 0.1);
        wanted.put("lr", 1e-2);
        wanted.put("batch", 64);
        wanted.put("epochs", epochs);
        wanted.put("patience", epochs);
        wanted.put("local", 4);
        wanted.put("pool", 2);
        wanted.put("block_num", 1); // NextItNet: one repeat of its dilations (two residual blocks), for time
        wanted.put("pretrain_epochs", 4); // CLEA: its softmax pretraining here; CleaTest trains its later stages
        Map<String, Object> known = Training.defaults(ModelRegistry.get(model));
        Map<String, Object> p = new LinkedHashMap<>();
        wanted.forEach((k, v) -> {
            if (known.containsKey(k)) {
                p.put(k, v);
            }
        });
        return p;
    }

    @ParameterizedTest
    @MethodSource("neuralModels")
    void scoresHaveTheRightShapeAndAreFinite(String name) {
        Dataset data = Synthetic.random(12, 30, 3, 12, 5);
        LeaveOneOut split = new LeaveOneOut(data);
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(ModelRegistry.get(name)));
        params.putAll(small(name, 1));
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            NeuralSeqModel model = ((NeuralSpec) ModelRegistry.get(name)).build(m, data.numItems(), params);
            int[][] histories = new int[split.numUsers()][];
            for (int i = 0; i < histories.length; i++) {
                histories[i] = split.input(split.users()[i], LeaveOneOut.Part.TEST);
            }
            HistoryBatch batch = HistoryBatch.ofHistories(histories);
            NDArray all = model.scoreAll(batch, m);
            assertThat(all.getShape().getShape()).containsExactly(12, 31);
            assertThat(all.isNaN().any().getBoolean()).isFalse();
            assertThat(all.isInfinite().any().getBoolean()).as("no infinite score").isFalse();
            NDArray cand = m.arange(1, 6).toType(ai.djl.ndarray.types.DataType.INT64, false).reshape(1, 5).repeat(0, 12);
            NDArray some = model.scoreCandidates(batch, cand, m);
            assertThat(some.getShape().getShape()).containsExactly(12, 5);
            // the candidates' scores are the matching columns of the full score matrix
            assertThat(some.toFloatArray()).containsExactly(all.get(":, 1:6").toFloatArray(), org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    /**
     * Models that hardly move in this test's 8 Adam steps (GRU4Rec: 1.3856 against 2 ln 2 = 1.3863 after 4
     * epochs), checked only for a falling loss here.
     */
    static final java.util.Set<String> SLOW_LEARNERS = java.util.Set.of("gru4rec", "nextitnet"); // NextItNet: NextItNetTest trains it longer

    @ParameterizedTest
    @MethodSource("neuralModels")
    void lossFallsAndTheSavedRunScoresLikeTheTrainedModel(String name) throws Exception {
        Dataset d = Synthetic.repeatedCycles(60, 40, 4, 6, 12, 3);
        Path data = dir.resolve("cycles.txt");
        d.writeFmlp(data);
        Path run = dir.resolve(name);
        Runs.train(TrainRequest.builder(name, DataSource.fmlp(data), run).params(small(name, 4)).seed(7).evalBatch(32).build());
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("history.jsonl"))) {
            losses.add(Json.MAPPER.readTree(line).path("loss").asDouble());
        }
        assertThat(losses).hasSize(4).allMatch(Double::isFinite);
        // the loss falls clearly below its value for an untrained model, known without the model: with
        // logits near 0, binary cross-entropy with one negative starts at 2 ln 2 = 1.386 and softmax
        // cross-entropy over the n items at ln n (ln 40 = 3.689). A model that does not learn (lr 0)
        // stays there; the margins hold with room for every model here (observed: BCE 1.21-1.34, CE 3.19-3.59)
        String regime = Json.MAPPER.readTree(Files.readAllLines(run.resolve("history.jsonl")).get(0)).path("regime").asText();
        boolean softmax = regime.endsWith("-CE") || regime.equals("cloze") || regime.equals("clea"); // CLEA: pretraining CE
        double untrained = softmax ? Math.log(d.numItems()) : 2 * Math.log(2);
        double margin = softmax ? 0.06 : 0.03;
        if (SLOW_LEARNERS.contains(name)) {
            assertThat(losses.get(3)).as("losses %s", losses).isLessThan(losses.get(0));
        } else {
            assertThat(losses.get(3)).as("%s losses %s, untrained %s", regime, losses, untrained).isLessThan(untrained - margin);
        }
        JsonNode atTraining = Json.read(run.resolve("results-full.json"));
        JsonNode reloaded = Runs.evaluate(run, Protocol.FULL, new NegativesChoice(null, null), 16);
        assertThat(reloaded.path("test")).isEqualTo(atTraining.path("test"));
        try (Recommender r = Recommender.load(run)) {
            assertThat(r.recommend(List.of("3", "7", "11"), 5, true).items()).hasSize(5);
        }
    }

    /** A run may name another regime: ConvFormer (prefix by default) under prefix-CE, as RecGRELA trains. */
    @Test
    void aRunMayTrainInPrefixCe() throws Exception {
        Dataset d = Synthetic.repeatedCycles(60, 40, 4, 6, 12, 3);
        Path data = dir.resolve("cycles.txt");
        d.writeFmlp(data);
        Map<String, Object> p = new LinkedHashMap<>(small("convformer", 3));
        p.put("regime", "prefix-CE");
        Path run = dir.resolve("convformer-ce");
        Runs.train(TrainRequest.builder("convformer", DataSource.fmlp(data), run).params(p).seed(7).evalBatch(32).build());
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("history.jsonl"))) {
            losses.add(Json.MAPPER.readTree(line).path("loss").asDouble());
        }
        // softmax cross-entropy over 40 items starts near ln 40 = 3.69 (the prefix regime's BCE near 2 ln 2
        // = 1.39): the loss is the softmax one, and it falls well below its untrained value (observed 3.41
        // after 3 epochs; a model that does not learn stays near 3.69)
        assertThat(losses.get(0)).isGreaterThan(2.5);
        assertThat(losses.get(2)).as("losses %s", losses).isLessThan(Math.log(40) - 0.15);
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get("convformer");
        assertThat(spec.trainingObjective(Map.of()).name()).isEqualTo("prefix");
        assertThat(spec.trainingObjective(Map.of("regime", "prefix-CE")).name()).isEqualTo("prefix-CE");
        assertThatThrownBy(() -> spec.trainingObjective(Map.of("regime", "cloze"))).hasMessageContaining("unknown regime 'cloze'");
    }
}
