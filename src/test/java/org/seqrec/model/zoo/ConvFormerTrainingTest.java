package org.seqrec.model.zoo;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.Evaluator;
import org.seqrec.eval.Protocol;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.run.NegativesChoice;
import org.seqrec.run.RunDir;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Gradients;
import org.seqrec.testutil.Killing;
import org.seqrec.testutil.Synthetic;
import org.seqrec.train.PrefixRegime;
import org.seqrec.train.Regime;
import org.seqrec.train.TrainContext;
import org.seqrec.train.Trainer;
import org.seqrec.train.Training;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;

/** ConvFormer trained end to end on small synthetic data: it learns order, resumes exactly, does not leak. */
class ConvFormerTrainingTest {
    @TempDir Path dir;

    @BeforeAll
    static void quiet() {
        Progress.setEnabled(false);
    }

    private static Map<String, Object> small(int epochs) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("hidden", 32);
        p.put("max_len", 16);
        p.put("kernel", 8);
        p.put("dropout", 0.1);
        p.put("lr", 5e-3);
        p.put("batch", 128);
        p.put("epochs", epochs);
        p.put("patience", epochs);
        return p;
    }

    private Path chains() {
        Dataset d = Synthetic.repeatedCycles(300, 50, 6, 10, 16, 11);
        Path f = dir.resolve("chains.txt");
        d.writeFmlp(f);
        return f;
    }

    private JsonNode train(String model, Path data, Map<String, Object> params, String name) {
        params = new LinkedHashMap<>(params);
        params.keySet().retainAll(Training.defaults(ModelRegistry.get(model)).keySet());
        Runs.train(TrainRequest.builder(model, DataSource.fmlp(data), dir.resolve(name)).params(params).seed(3).build());
        return Json.read(dir.resolve(name).resolve("results-full.json"));
    }

    @Test
    void learnsOrderThatPopularityAndAnOrderBlindMixerCannot() {
        Path data = chains();
        double conv = train("convformer", data, small(10), "conv").path("test").path("MRR").asDouble();
        double blind = train("meanpool", data, small(10), "blind").path("test").path("MRR").asDouble();
        double pop = train("pop", data, Map.of(), "pop").path("test").path("MRR").asDouble();
        assertThat(conv).as("ConvFormer MRR (meanpool %.3f, pop %.3f)", blind, pop).isGreaterThan(0.8);
        assertThat(conv).isGreaterThan(blind + 0.2).isGreaterThan(pop + 0.5);
    }

    @Test
    void savedRunGivesTheSameScoresAsTheTrainedModel() throws Exception {
        Path data = chains();
        JsonNode atTraining = train("convformer-f", data, small(2), "f");
        JsonNode reloaded = Runs.evaluate(dir.resolve("f"), Protocol.FULL, new NegativesChoice(null, null), 64);
        assertThat(reloaded.path("test")).isEqualTo(atTraining.path("test"));
        assertThat(reloaded.path("valid")).isEqualTo(atTraining.path("valid"));
        assertThat(Files.readAllLines(dir.resolve("f/history.jsonl"))).hasSize(2);
        try (Recommender r = Recommender.load(dir.resolve("f"))) {
            Recommender.Result top = r.recommend(List.of("5", "9", "17"), 5, true);
            assertThat(top.items()).hasSize(5).noneMatch(i -> List.of("5", "9", "17").contains(i.id()));
            assertThat(top.items().get(0).score()).isGreaterThanOrEqualTo(top.items().get(4).score());
            // concurrent callers get exactly what a single caller gets
            List<List<String>> histories = new ArrayList<>();
            List<Recommender.Result> expected = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                List<String> h = List.of(Integer.toString(1 + i), Integer.toString(20 + i), Integer.toString(40 - i));
                histories.add(h);
                expected.add(r.recommend(h, 10, i % 2 == 0));
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Recommender.Result>> futures = new ArrayList<>();
                for (int round = 0; round < 4; round++) {
                    for (int i = 0; i < histories.size(); i++) {
                        int idx = i;
                        futures.add(pool.submit(() -> r.recommend(histories.get(idx), 10, idx % 2 == 0)));
                    }
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertThat(futures.get(i).get()).isEqualTo(expected.get(i % histories.size()));
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private float[] fit(Path run, Regime regime, boolean resume, LeaveOneOut split, List<JsonNode> history) throws Exception {
        Files.createDirectories(run.resolve("model"));
        Map<String, Object> params = small(4);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            MetaFormerModel model = ConvFormer.build(ConvFormer.Variant.CONVFORMER, m, split.data().numItems(), params);
            Evaluator validation = new Evaluator(split, Protocol.FULL, null, 128);
            TrainContext ctx = new TrainContext(split, params, 9, m, new RunDir(run).trainFiles(), validation, resume);
            new Trainer(ctx).onEpoch(history::add).fit(model, regime);
            return Gradients.flatWeights(model.params());
        }
    }

    @Test
    void resumeAfterAKillMidEpochEndsWithTheSameWeights() throws Exception {
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(120, 40, 4, 6, 12, 3));
        List<JsonNode> h1 = new ArrayList<>();
        float[] straight = fit(dir.resolve("a"), new PrefixRegime(), false, split, h1);
        assertThatThrownBy(() -> fit(dir.resolve("b"), Killing.at(new PrefixRegime(), 3, 3), false, split, new ArrayList<>())).isInstanceOf(Killing.Killed.class);
        assertThat(Json.read(dir.resolve("b/checkpoint/state.json")).path("epoch").asInt()).isEqualTo(2);
        List<JsonNode> h2 = new ArrayList<>();
        float[] resumed = fit(dir.resolve("b"), new PrefixRegime(), true, split, h2);
        assertThat(h2).hasSize(2); // epochs 3 and 4 only
        assertThat(resumed).containsExactly(straight);
        assertThat(Files.readAllLines(dir.resolve("b/history.jsonl"))).hasSize(4);
        assertThat(h2.get(1).path("loss").asDouble()).isEqualTo(h1.get(3).path("loss").asDouble());
    }

    @Test
    void nativeMemoryDoesNotGrowAcrossEpochs() throws Exception {
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(150, 50, 5, 8, 16, 4));
        Map<String, Object> params = small(7);
        List<Integer> arrays = new ArrayList<>();
        Files.createDirectories(dir.resolve("mem/model"));
        try (NDManager m = NDManager.newBaseManager()) {
            MetaFormerModel model = ConvFormer.build(ConvFormer.Variant.CONVFORMER, m, split.data().numItems(), params);
            TrainContext ctx = new TrainContext(split, params, 1, m, new RunDir(dir.resolve("mem")).trainFiles(),
                    new Evaluator(split, Protocol.FULL, null, 128), false);
            new Trainer(ctx).onEpoch(line -> {
                arrays.add(m.getManagedArrays().size());
            }).fit(model, new PrefixRegime());
        }
        // the same number of live native arrays after every epoch: nothing per batch is left behind.
        // (Resident memory is not asserted here: it moves with the allocator, the JVM heap and the
        // machine's load. Every run records its peak RSS per epoch in history.jsonl, reported by the
        // experiments' report tables and benchmarks such as bench/scaling.sh.)
        assertThat(arrays).hasSizeGreaterThan(2);
        assertThat(arrays.subList(1, arrays.size())).containsOnly(arrays.get(1));
    }
}
