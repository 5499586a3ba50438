package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.DataSource;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.eval.Evaluator;
import org.seqrec.eval.Protocol;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.nn.Params;
import org.seqrec.run.RunDir;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

/** What the trainer refuses or stops on, and its partial-epoch switch. */
class TrainerGuardsTest {
    @TempDir Path dir;

    @BeforeAll
    static void quiet() {
        Progress.setEnabled(false);
    }

    @Test
    void hyperParametersAModelDoesNotReadAreRejected() {
        assertThatThrownBy(() -> ParamCheck.check("fmlp-rec", ModelRegistry.get("fmlp-rec"), Map.of("kernel", 5)))
                .isInstanceOf(SeqrecException.class).hasMessageContaining("fmlp-rec has no hyper-parameter 'kernel'");
        assertThatThrownBy(() -> ParamCheck.check("bert4rec", ModelRegistry.get("bert4rec"), Map.of("mask_porb", 0.2)))
                .hasMessageContaining("mask_porb").hasMessageContaining("mask_prob");
        assertThatCode(() -> {
            ParamCheck.check("convformer", ModelRegistry.get("convformer"), Map.of("kernel", 5, "max_batches", 3));
            ParamCheck.check("pop", ModelRegistry.get("pop"), Map.of("scope", "all"));
        }).doesNotThrowAnyException();
        assertThatThrownBy(() -> ParamCheck.check("pop", ModelRegistry.get("pop"), Map.of("max_batches", 3)))
                .isInstanceOf(SeqrecException.class);
    }

    @Test
    void maxBatchesCutsEveryEpoch() throws Exception {
        Path data = dir.resolve("cycles.txt");
        Synthetic.repeatedCycles(80, 30, 4, 6, 12, 1).writeFmlp(data);
        Map<String, Object> p = new LinkedHashMap<>(Map.of("hidden", 16, "max_len", 8, "batch", 16, "epochs", 2, "max_batches", 3));
        Runs.train(TrainRequest.builder("sasrec", DataSource.fmlp(data), dir.resolve("run")).params(p).seed(1).evaluate(false)
                .evalBatch(64).build());
        for (String line : Files.readAllLines(dir.resolve("run/history.jsonl"))) {
            JsonNode h = Json.MAPPER.readTree(line);
            assertThat(h.path("batches").asInt()).isEqualTo(3);
            assertThat(h.path("epoch_batches").asInt()).isEqualTo(5); // 80 users, 16 per batch
            assertThat(h.path("regime").asText()).isEqualTo("all-positions");
        }
    }

    @Test
    void aLossThatIsNotFiniteStopsTheRunBeforeTheUpdate() {
        LeaveOneOut split = new LeaveOneOut(Synthetic.random(40, 20, 4, 8, 2));
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(ModelRegistry.get("sar")));
        params.putAll(Map.of("hidden", 8, "max_len", 6, "batch", 16, "epochs", 2));
        Regime nan = new Regime() {
            @Override
            public String name() {
                return "nan";
            }

            @Override
            public Regime.Epoch epoch(LeaveOneOut s, int maxLen, SplitMix64 rng, int epochNumber) {
                Regime.Epoch inner = new PrefixRegime().epoch(s, maxLen, rng);
                return new Regime.Epoch() {
                    @Override
                    public int size() {
                        return inner.size();
                    }

                    @Override
                    public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
                        NDArray loss = inner.loss(model, p, from, to, m);
                        return from == 0 ? loss : loss.mul(Float.NaN); // the second batch diverges
                    }
                };
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            NeuralSeqModel model = ((NeuralSpec) ModelRegistry.get("sar")).build(m, split.data().numItems(), params);
            TrainContext ctx = new TrainContext(split, params, 1, m, new RunDir(dir).trainFiles(), new Evaluator(split, Protocol.FULL, null, 64), false);
            assertThatThrownBy(() -> new Trainer(ctx).fit(model, nan)).isInstanceOf(SeqrecException.class)
                    .hasMessageContaining("sar diverged: loss NaN at epoch 1, batch 2");
            for (NDArray w : model.params().all().values()) {
                for (float v : w.toFloatArray()) {
                    assertThat(v).isFinite(); // the NaN batch never reached the weights
                }
            }
        }
    }
}
