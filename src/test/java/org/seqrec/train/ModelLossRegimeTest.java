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
import org.seqrec.model.OwnLossModel;
import org.seqrec.nn.Params;
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

    /** A model that records the steps its regime hands it. */
    static final class Recorder extends NeuralSeqModel implements OwnLossModel {
        final List<Step> steps = new ArrayList<>();
        final List<Long> sizes = new ArrayList<>();

        Recorder(NDManager m, int numItems) {
            super(m, numItems, 8);
            params.normal("items", new ai.djl.ndarray.types.Shape(numItems + 1L, 4), 0.1f);
        }

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        protected String itemTable() {
            return "items";
        }

        @Override
        public ai.djl.ndarray.NDArray loss(Params.Bound p, ai.djl.ndarray.NDArray ids, ai.djl.ndarray.NDArray targets, Step step) {
            steps.add(step);
            sizes.add(targets.size());
            return p.get("items").sum();
        }

        @Override
        public boolean updates(String weight, int epoch) {
            return epoch % 2 == 0;
        }
    }

    @Test
    void theModelIsToldTheEpochAndHowManyBatchesCameBefore() {
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(40, 30, 4, 6, 12, 7));
        Regime regime = Training.regime(new org.seqrec.model.Objective.ModelLoss("recorded"));
        assertThat(regime.name()).isEqualTo("recorded");
        try (NDManager m = NDManager.newBaseManager()) {
            Recorder model = new Recorder(m, split.data().numItems());
            int batch = 32;
            int size = 0;
            for (int epoch = 1; epoch <= 3; epoch++) {
                Regime.Epoch e = regime.epoch(split, 8, new org.seqrec.data.SplitMix64(epoch), epoch);
                size = e.size();
                for (int from = 0; from < e.size(); from += batch) {
                    e.loss(model, model.params().bind(m), from, Math.min(e.size(), from + batch), m);
                }
                assertThat(regime.updates(model, "items", epoch)).isEqualTo(epoch % 2 == 0);
            }
            int perEpoch = (size + batch - 1) / batch; // the samples are the same each epoch, shuffled
            assertThat(perEpoch).isGreaterThan(2);
            assertThat(model.steps).hasSize(3 * perEpoch);
            for (int k = 0; k < model.steps.size(); k++) {
                OwnLossModel.Step step = model.steps.get(k);
                assertThat(step.epoch()).isEqualTo(k / perEpoch + 1);
                assertThat(step.batch()).as("batches before step %d", k).isEqualTo(k);
                assertThat(step.batchesPerEpoch()).isEqualTo(perEpoch);
                long expectedSize = k % perEpoch == perEpoch - 1 ? size - (long) (perEpoch - 1) * batch : batch;
                assertThat(model.sizes.get(k)).isEqualTo(expectedSize);
            }
        }
    }
}
