package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
import org.seqrec.testutil.Synthetic;

/**
 * A model with its own loss (CLEA) trains through the shared trainer, and an epoch's updates change exactly the
 * weights the model names for it: a generator epoch only the generator's, an encoder epoch all but the generator's.
 */
class ModelLossRegimeTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0} generator epochs, {1} encoder epochs")
    @CsvSource({"1, 0", "0, 1"})
    void anEpochChangesOnlyItsPhasesWeights(int generatorEpochs, int encoderEpochs) throws Exception {
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(40, 30, 4, 6, 12, 7));
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(ModelRegistry.get("clea")));
        params.put("hidden", 8);
        params.put("max_len", 8);
        params.put("batch", 32);
        params.put("epochs", 1);
        params.put("pretrain_epochs", 0);
        params.put("generator_epochs", generatorEpochs);
        params.put("encoder_epochs", encoderEpochs);
        params.put("select", "none");
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("model"));
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get("clea");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NeuralSeqModel net = spec.build(m, split.data().numItems(), params);
            Map<String, float[]> before = new LinkedHashMap<>();
            net.params().all().forEach((k, v) -> before.put(k, v.toFloatArray()));
            TrainContext ctx = new TrainContext(split, params, 5, m, new RunDir(run).trainFiles(),
                    new Evaluator(split, Protocol.FULL, null, 64), false);
            new Trainer(ctx).fit(net, Training.regime(spec, params));
            int changed = 0;
            for (Map.Entry<String, float[]> e : before.entrySet()) {
                boolean generator = e.getKey().startsWith("generator.");
                float[] after = net.params().get(e.getKey()).toFloatArray();
                if (generator == (generatorEpochs > 0)) {
                    assertThat(after).as("%s is trained", e.getKey()).isNotEqualTo(e.getValue());
                    changed++;
                } else {
                    assertThat(after).as("%s is held", e.getKey()).containsExactly(e.getValue());
                }
            }
            assertThat(changed).isGreaterThan(0);
        }
    }
}
