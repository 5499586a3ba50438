package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.DataSource;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;

/** NextItNet: causal, and its receptive field is exactly (K-1)·Σ 3d steps (K 3, dilations 1 and 4: 30). */
class NextItNetTest {
    @TempDir Path dir;

    /** Two residual blocks learn a cyclic pattern: the softmax loss falls well below ln 40 and HR@10 far above chance. */
    @Test
    void itLearnsRepeatedCycles() throws Exception {
        Path data = dir.resolve("cycles.txt");
        Synthetic.repeatedCycles(300, 40, 4, 6, 12, 3).writeFmlp(data);
        Path run = dir.resolve("run");
        Runs.train(TrainRequest.builder("nextitnet", DataSource.fmlp(data), run).params(Map.of("hidden", 16, "max_len", 8, "batch", 64,
                "epochs", 15, "patience", 15, "lr", 3e-3, "block_num", 2)).seed(3).keepHistories(false).build());
        List<String> lines = Files.readAllLines(run.resolve("history.jsonl"));
        double last = Json.MAPPER.readTree(lines.get(lines.size() - 1)).path("loss").asDouble();
        assertThat(Json.MAPPER.readTree(lines.get(0)).path("regime").asText()).isEqualTo("all-positions-CE");
        assertThat(last).isLessThan(Math.log(40) - 0.5); // an untrained model's logits near 0: ln 40 = 3.69 (observed 2.90)
        assertThat(Json.read(run.resolve("results-full.json")).path("test").path("HR@10").asDouble()).isGreaterThan(0.5); // chance: 10/40
    }

    private static float[] stateAt(NeuralSeqModel model, NDManager m, long[] ids, int t) {
        var all = model.encodeAll(model.params().bind(m), m.create(ids, new Shape(1, ids.length)), false);
        return all.get(new ai.djl.ndarray.index.NDIndex("0, " + t + ", :")).toFloatArray();
    }

    private static double diff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void theOutputAtTSeesExactlyTheReceptiveFieldBeforeIt() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Object> params = Map.of("hidden", 8, "max_len", 40, "layers", 1, "kernel", 3, "dilations", "1,4", "block_num", 1);
            NeuralSeqModel model = new NextItNet.Spec().build(m, 50, params);
            assertThat(NextItNet.Options.from(params).receptiveField()).isEqualTo(2 * 3 * (1 + 4)); // by hand: 30
            long[] ids = new long[40];
            for (int i = 0; i < 40; i++) {
                ids[i] = 1 + (i * 7) % 50;
            }
            float[] base = stateAt(model, m, ids, 39);
            long[] edge = ids.clone();
            edge[39 - 30] = 49; // the farthest step the last position sees
            assertThat(diff(stateAt(model, m, edge, 39), base)).isGreaterThan(1e-6);
            long[] beyond = ids.clone();
            beyond[39 - 31] = 49; // one step farther
            assertThat(diff(stateAt(model, m, beyond, 39), base)).isEqualTo(0.0);
            long[] future = ids.clone();
            future[39] = 49; // causal: position 38 never sees 39
            assertThat(diff(stateAt(model, m, future, 38), stateAt(model, m, ids, 38))).isEqualTo(0.0);
        }
        assertThatThrownBy(() -> NextItNet.Options.from(Map.of("dilations", "1,x"))).hasMessageContaining("dilations");
    }
}
