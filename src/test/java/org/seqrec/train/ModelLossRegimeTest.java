package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
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
 * weights the model names for it, epoch by epoch (the trainer hands the regime each epoch's number): pretraining and
 * encoder epochs all but the generator's, a generator epoch only the generator's.
 */
class ModelLossRegimeTest {
    @TempDir Path dir;

    private static Map<String, float[]> snapshot(NeuralSeqModel net) {
        Map<String, float[]> out = new LinkedHashMap<>();
        net.params().all().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    @Test
    void eachEpochChangesOnlyItsPhasesWeights() throws Exception {
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(40, 30, 4, 6, 12, 7));
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(ModelRegistry.get("clea")));
        params.put("hidden", 8);
        params.put("max_len", 8);
        params.put("batch", 32);
        params.put("epochs", 3);
        params.put("pretrain_epochs", 1);
        params.put("generator_epochs", 1);
        params.put("encoder_epochs", 1);
        params.put("select", "none");
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("model"));
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get("clea");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NeuralSeqModel net = spec.build(m, split.data().numItems(), params);
            List<Map<String, float[]>> after = new ArrayList<>();
            after.add(snapshot(net));
            List<String> regimes = new ArrayList<>();
            TrainContext ctx = new TrainContext(split, params, 5, m, new RunDir(run).trainFiles(),
                    new Evaluator(split, Protocol.FULL, null, 64), false);
            new Trainer(ctx).onEpoch(line -> {
                after.add(snapshot(net));
                regimes.add(line.path("regime").asText());
            }).fit(net, Training.regime(spec, params));
            assertThat(regimes).containsExactly("clea", "clea", "clea");
            // epoch 1 pretrains (all but G), epoch 2 trains G only, epoch 3 all but G
            boolean[] generatorTrains = {false, true, false};
            for (int epoch = 1; epoch <= 3; epoch++) {
                for (String w : after.get(0).keySet()) {
                    float[] was = after.get(epoch - 1).get(w);
                    float[] is = after.get(epoch).get(w);
                    if (w.equals("generator_trained")) { // a flag, not a trained weight: set by the first generator epoch
                        assertThat(is[0]).as("flag after epoch %d", epoch).isEqualTo(epoch >= 2 ? 1f : 0f);
                    } else if (w.startsWith("generator.") == generatorTrains[epoch - 1]) {
                        assertThat(is).as("%s trained in epoch %d", w, epoch).isNotEqualTo(was);
                    } else {
                        assertThat(is).as("%s held in epoch %d", w, epoch).containsExactly(was);
                    }
                }
            }
        }
    }
}
