package org.seqrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.seqrec.data.IdMap;
import org.seqrec.eval.EvalBatch;
import org.seqrec.model.ModelRegistry;
import org.seqrec.model.RecModel;
import org.seqrec.train.RunConfig;
import org.seqrec.train.RunDir;
import org.seqrec.train.TrainContext;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * Next-item recommendations from a saved run, in original item ids. Thread-safe: each call scores
 * in its own native-memory scope.
 *
 * <pre>{@code
 * try (Recommender r = Recommender.load(Path.of("runs/pop-beauty"))) {
 *     Recommender.Result top = r.recommend(List.of("B0001", "B0002"), 10);
 * }
 * }</pre>
 */
public final class Recommender implements AutoCloseable {
    private final NDManager manager;
    private final RecModel model;
    private final IdMap items;
    private final String runName;

    private Recommender(NDManager manager, RecModel model, IdMap items, String runName) {
        this.manager = manager;
        this.model = model;
        this.items = items;
        this.runName = runName;
    }

    /** One recommended item. */
    public record Item(String id, float score) {}

    /** The ranked items, and the history ids that the model does not know (ignored). */
    public record Result(List<Item> items, List<String> unknown) {}

    /** Loads the model and item map of a run directory (no dataset needed). */
    public static Recommender load(Path runDir) {
        RunDir run = RunDir.existing(runDir);
        RunConfig config = Json.read(run.config(), RunConfig.class);
        IdMap items = IdMap.read(run.itemMap());
        NDManager manager = NDManager.newBaseManager();
        try {
            TrainContext ctx = new TrainContext(null, config.params(), config.seed(), manager, run.dir(), null, false);
            RecModel model = ModelRegistry.get(config.model()).load(run.model(), ctx, manager);
            if (model.numItems() != items.size()) {
                throw new SeqrecException(runDir + ": the model has " + model.numItems() + " items but item_map.tsv has "
                        + items.size());
            }
            return new Recommender(manager, model, items, runDir.getFileName().toString());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public int numItems() {
        return items.size();
    }

    public String modelName() {
        return model.name();
    }

    public String runName() {
        return runName;
    }

    /** The top {@code k} items after {@code history} (original ids, oldest first); seen items may be recommended. */
    public Result recommend(List<String> history, int k) {
        return recommend(history, k, false);
    }

    /**
     * The top {@code k} items after {@code history}. Unknown ids are ignored and listed; with
     * {@code excludeSeen} the history's items are never recommended.
     */
    public Result recommend(List<String> history, int k, boolean excludeSeen) {
        List<String> unknown = new ArrayList<>();
        int[] seq = toDense(history, unknown);
        Set<Integer> seen = new LinkedHashSet<>();
        if (excludeSeen) {
            for (int item : seq) {
                seen.add(item);
            }
        }
        int available = items.size() - seen.size();
        if (k < 1 || k > available) {
            throw new SeqrecException("k must be in 1.." + available + " (the items that can be recommended), got " + k);
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray scores = model.scoreAll(EvalBatch.ofHistories(new int[][] {seq}), m);
            long[] mask = new long[seen.size() + 1];
            int j = 0;
            mask[j++] = 0; // padding
            for (int item : seen) {
                mask[j++] = item;
            }
            scores = scores.put(m.create(mask), m.full(new Shape(mask.length), Float.NEGATIVE_INFINITY));
            NDList top = scores.topK(k, 1, true, true); // partial selection, not a full sort
            float[] values = top.get(0).toFloatArray();
            long[] ids = top.get(1).toLongArray();
            List<Item> out = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                out.add(new Item(items.original((int) ids[i]), values[i]));
            }
            return new Result(out, unknown);
        }
    }

    private int[] toDense(List<String> history, List<String> unknown) {
        int[] seq = new int[history.size()];
        int n = 0;
        for (String id : history) {
            Integer dense = items.dense(id).orElse(null);
            if (dense == null) {
                unknown.add(id);
            } else {
                seq[n++] = dense;
            }
        }
        return java.util.Arrays.copyOf(seq, n); // models read only their last maxLen() items themselves
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
