package org.seqrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.seqrec.data.IdMap;
import org.seqrec.eval.Evaluator;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.RecModel;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.run.HistoryStore;
import org.seqrec.run.Popularity;
import org.seqrec.run.RunConfig;
import org.seqrec.run.RunDir;
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
    /**
     * Whether recommendations leave out the items already in the history when a request does not say:
     * the one default of the Java API, {@code recommend}, {@code score} and the HTTP service.
     */
    public static final boolean EXCLUDE_SEEN_BY_DEFAULT = true;

    private final NDManager manager;
    private final HistoryStore histories; // null: the run keeps no user histories
    private final RecModel model;
    private final IdMap items;
    private final IdMap users; // null: the model does not read user ids
    private final String runName;
    private final int[] counts;
    private final int[] popularOrder;
    private volatile long scoreBytes = 16L << 20;

    private Recommender(NDManager manager, RecModel model, IdMap items, IdMap users, String runName, int[] counts,
            HistoryStore histories) {
        this.manager = manager;
        this.histories = histories;
        this.model = model;
        this.items = items;
        this.users = users;
        this.runName = runName;
        this.counts = counts;
        this.popularOrder = Popularity.order(counts);
    }

    /**
     * The most memory one scoring pass's {@code [rows, items]} score matrix may take (default 16 MB, below glibc's
     * mmap threshold: bench/results/eval-speed.md); a batch of queries is scored in as many passes as that needs, at
     * least one row each. Returns this.
     */
    public Recommender scoreBudget(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("score budget must be positive: " + bytes);
        }
        this.scoreBytes = bytes;
        return this;
    }

    /** One recommended item. */
    public record Item(String id, float score) {}

    /**
     * The ranked items; the history ids that the model does not know (ignored); how many of the known
     * history items the model read (at most {@link #maxLen()}: the most recent); and whether the list is
     * the training-set popularity ranking because no history item was known (then the scores are
     * interaction counts).
     */
    public record Result(List<Item> items, List<String> unknown, int used, boolean popularityFallback) {}

    /**
     * One recommendation request: a history (original ids, oldest first), how many items, whether to exclude seen ones,
     * and the user it belongs to (an original user id, or null): read only by models that read user ids (FM, AutoInt),
     * for which a user the run's {@code user_map.tsv} does not name is the unknown user.
     */
    public record Query(List<String> history, int k, boolean excludeSeen, String user) {
        /** A request by history alone. */
        public Query(List<String> history, int k, boolean excludeSeen) {
            this(history, k, excludeSeen, null);
        }
    }

    /** Loads the model, item map and item popularity of a run directory (its data is read only for runs saved without {@code popularity.tsv}). */
    public static Recommender load(Path runDir) {
        RunDir run = RunDir.verified(runDir);
        RunConfig config = Json.read(run.config(), RunConfig.class);
        IdMap items = IdMap.read(run.itemMap());
        NDManager manager = NDManager.newBaseManager();
        try {
            RecModel model = ModelRegistry.get(config.model()).load(run.model(), items.size(), config.params(), manager);
            if (model.numItems() != items.size()) {
                throw new SeqrecException(runDir + ": the model has " + model.numItems() + " items but item_map.tsv has "
                        + items.size());
            }
            IdMap users = null;
            if (model instanceof NeuralSeqModel neural && neural.readsUsers()) {
                if (!java.nio.file.Files.isRegularFile(run.userMap())) {
                    throw new SeqrecException(runDir + ": " + model.name() + " reads user ids but the run has no user_map.tsv");
                }
                users = IdMap.read(run.userMap());
                if (users.size() != neural.knownUsers()) {
                    throw new SeqrecException(runDir + ": user_map.tsv has " + users.size() + " users but the model has rows for "
                            + neural.knownUsers());
                }
            }
            HistoryStore histories = java.nio.file.Files.isRegularFile(run.histories()) ? HistoryStore.open(run.histories()) : null;
            return new Recommender(manager, model, items, users, runDir.getFileName().toString(),
                    Popularity.of(run, config, items.size()), histories);
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

    /** Native arrays held by this recommender (its weights and constants): constant while it serves; for leak checks. */
    public int liveNativeArrays() {
        return manager.getManagedArrays().size();
    }

    /** Whether this recommender is still loaded ({@link #close} not yet called): for tests of unloading after a reload. */
    public boolean isOpen() {
        return manager.isOpen();
    }

    /** The most recent history items the model reads. */
    public int maxLen() {
        return model.maxLen();
    }

    /** The top {@code k} items after {@code history} (original ids, oldest first), its own items left out. */
    public Result recommend(List<String> history, int k) {
        return recommend(history, k, EXCLUDE_SEEN_BY_DEFAULT);
    }

    /** A user id the run's history store does not know. */
    public static final class UnknownUserException extends SeqrecException {
        public UnknownUserException(String user) {
            super("unknown user '" + user + "': the run keeps no history for it (recommend by history, or append events first)");
        }
    }

    /** A run that keeps no user histories was asked for one. */
    public static final class NoUserHistoriesException extends SeqrecException {
        NoUserHistoriesException(String run) {
            super("run " + run + " keeps no user histories (trained with --no-keep-histories or by an older seqrec): recommend by"
                    + " history");
        }
    }

    /** Whether the run keeps user histories ({@code histories.db}), so that users can be named by id. */
    public boolean hasUserHistories() {
        return histories != null;
    }

    /** The history the run keeps for {@code user} (its whole sequence, then the events appended since), oldest first. */
    public Optional<List<String>> history(String user) {
        return histories().history(user);
    }

    /** The {@code limit} most recent items of {@link #history(String)}. */
    public Optional<List<String>> history(String user, int limit) {
        return histories().history(user, limit);
    }

    /**
     * The top {@code k} items for {@code user}: {@link #recommend(List, int, boolean)} of the history the run keeps for it.
     *
     * @throws UnknownUserException when the run keeps no history for {@code user}
     */
    public Result recommendForUser(String user, int k, boolean excludeSeen) {
        return recommendAll(List.of(new Query(knownHistory(user), k, excludeSeen, user))).get(0);
    }

    /**
     * The history the run keeps for {@code user}.
     *
     * @throws UnknownUserException when the run keeps none for it
     */
    public List<String> knownHistory(String user) {
        return history(user).orElseThrow(() -> new UnknownUserException(user));
    }

    /** Appends interactions to users' kept histories (a new user starts with its first event); durable when it returns. */
    public void append(List<HistoryStore.Event> events) {
        histories().append(events);
    }

    private HistoryStore histories() {
        if (histories == null) {
            throw new NoUserHistoriesException(runName);
        }
        return histories;
    }

    /**
     * The top {@code k} items after {@code history}. Unknown ids are ignored and listed; with
     * {@code excludeSeen} the history's items are never recommended (then fewer than {@code k} come
     * back when fewer remain). A history with no known item gets the popularity ranking (unless the model reads user ids
     * and the query names a user it knows).
     */
    public Result recommend(List<String> history, int k, boolean excludeSeen) {
        return recommendAll(List.of(new Query(history, k, excludeSeen))).get(0);
    }

    /**
     * One result per query, in order, the model's ones from a single forward pass over all the
     * histories (how the HTTP service micro-batches and {@code seqrec score} streams). The same query
     * gets the same result alone or in a batch.
     *
     * @throws SeqrecException if a k is not in 1..n
     */
    public List<Result> recommendAll(List<Query> queries) {
        int n = items.size();
        List<int[]> dense = new ArrayList<>(queries.size());
        List<List<String>> unknown = new ArrayList<>(queries.size());
        List<Integer> modelRows = new ArrayList<>();
        int kMax = 1;
        for (Query q : queries) {
            if (q.k() < 1 || q.k() > n) {
                throw new SeqrecException("k must be in 1.." + n + " (the number of items), got " + q.k());
            }
            List<String> u = new ArrayList<>();
            int[] seq = toDense(q.history(), u);
            dense.add(seq);
            unknown.add(u);
            if (seq.length > 0 || knownUser(q.user())) { // a model that reads user ids scores a known user without a history
                modelRows.add(dense.size() - 1);
                kMax = Math.max(kMax, q.k());
            }
        }
        Result[] out = new Result[queries.size()];
        if (!modelRows.isEmpty()) {
            scoreRows(queries, dense, unknown, modelRows, Math.min(kMax, n), out);
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                out[i] = popular(queries.get(i).k(), unknown.get(i));
            }
        }
        return List.of(out);
    }

    /**
     * Scores the model rows in chunks whose score matrix stays within {@link #scoreBudget} (16 MB by default, so a
     * catalogue of millions of items needs no {@code rows x items} array past 2^31 elements, and the matrix is reused
     * from the heap rather than mapped for every request).
     */
    private void scoreRows(List<Query> queries, List<int[]> dense, List<List<String>> unknown, List<Integer> rows, int kMax,
            Result[] out) {
        int chunk = Evaluator.fullBatch(rows.size(), items.size(), scoreBytes);
        for (int from = 0; from < rows.size(); from += chunk) {
            scoreChunk(queries, dense, unknown, rows.subList(from, Math.min(rows.size(), from + chunk)), kMax, out);
        }
    }

    private void scoreChunk(List<Query> queries, List<int[]> dense, List<List<String>> unknown, List<Integer> rows, int kMax,
            Result[] out) {
        int n = items.size();
        int b = rows.size();
        int[][] histories = new int[b][];
        int[] lengths = new int[b];
        int[] userIndex = new int[b];
        float[] mask = new float[b * (n + 1)];
        int[] available = new int[b];
        for (int r = 0; r < b; r++) {
            int i = rows.get(r);
            histories[r] = dense.get(i);
            lengths[r] = histories[r].length;
            String user = queries.get(i).user();
            userIndex[r] = users == null || user == null ? -1 : users.dense(user).map(u -> u - 1).orElse(-1);
            mask[r * (n + 1)] = Float.NEGATIVE_INFINITY; // padding
            available[r] = n;
            if (queries.get(i).excludeSeen()) {
                for (int item : histories[r]) {
                    if (mask[r * (n + 1) + item] == 0f) {
                        mask[r * (n + 1) + item] = Float.NEGATIVE_INFINITY;
                        available[r]--;
                    }
                }
            }
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray scores = model.scoreAll(new HistoryBatch(userIndex, histories, lengths, null), m).add(m.create(mask, new Shape(b, n + 1)));
            NDList top = scores.topK(kMax, 1, true, true); // partial selection, not a full sort
            float[] values = top.get(0).toFloatArray();
            long[] ids = top.get(1).toLongArray();
            for (int r = 0; r < b; r++) {
                int i = rows.get(r);
                int k = Math.min(queries.get(i).k(), available[r]);
                List<Item> list = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    list.add(new Item(items.original((int) ids[r * kMax + j]), values[r * kMax + j]));
                }
                out[i] = new Result(list, unknown.get(i), Math.min(histories[r].length, model.maxLen()), false);
            }
        }
    }

    /** Whether the model reads user ids and has a row for {@code user} (an original id, or null). */
    private boolean knownUser(String user) {
        return users != null && user != null && users.dense(user).isPresent();
    }

    /** The {@code k} items with the most training interactions (ties: lower id first); scores are the counts. */
    public Result popular(int k, List<String> unknown) {
        List<Item> list = new ArrayList<>(k);
        for (int j = 0; j < Math.min(k, popularOrder.length); j++) {
            int item = popularOrder[j];
            list.add(new Item(items.original(item), counts[item]));
        }
        return new Result(list, unknown, 0, true);
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
        if (histories != null) {
            histories.close();
        }
    }
}
