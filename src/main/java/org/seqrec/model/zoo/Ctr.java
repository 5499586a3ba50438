package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.data.Dataset;
import org.seqrec.data.FeatureTable;
import org.seqrec.model.Hyper;
import org.seqrec.model.ModelSpec;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.UserModel;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-tower CTR model with a sequential interest extractor, as the ConvFormer paper's appendix B.1 (Table B1) runs
 * it: DIEN's (Zhou et al., AAAI 2019) network with its GRU interest extractor replaceable by any sequence model of
 * the registry ({@code extractor}: {@code gru4rec}, {@code sasrec}, {@code fmlp-rec}, {@code convformer} with
 * {@code extractor_kernel} K, 0 meaning K = L for the ConvFormer family and the extractor's own kernel for the others as the paper's "ConvFormer", a tuned K its "ConvFormer+"). The input of DIEN's
 * final network, {@code [user; target item; history sum; target ⊙ history sum; interest]} with user and item each their
 * id embedding and categorical profile fields (a field's embedding is the mean over its values, e.g. a movie's
 * genres), passes an MLP ({@code mlp}, DIEN's 200, 80, ReLU) to one logit; point-wise loss: the prefix regime's
 * binary cross-entropy of each of a user's last {@code max_len} training interactions (its window) against one sampled item. The item id embeddings are the
 * extractor's item table (shared by history and target, as DIEN's).
 *
 * <p>Side features come from {@code user_features} / {@code item_features} files ({@link FeatureTable}: MovieLens
 * {@code users.dat} / {@code movies.dat}, or CSV/TSV with an id column), read when training starts and kept in the
 * model's weights (frozen), so a saved run serves without them; their fields' sizes are recorded in the run's params
 * ({@code user_fields}, {@code item_fields}). Without files the model has id features only. A user the model has no
 * row for (a history sent without a user id) reads zero user embeddings.
 *
 * <p>Departures from DIEN, documented: no interest-evolving layer (AUGRU) and no auxiliary loss (the paper replaces
 * the extractor, and the one-tower is extractor, concatenation, MLP); ReLU instead of Dice and no batch norm
 * before the MLP; the history is read as item ids only (the extractors are the registry's id models). The score is not
 * a dot product: ranking runs the MLP once per (user, item) pair.
 */
public final class Ctr extends UserModel {
    private static final Logger LOG = LoggerFactory.getLogger(Ctr.class);
    /** The params naming the side-feature files and columns, and what training records about their fields. */
    static final String USER_FEATURES = "user_features";
    static final String ITEM_FEATURES = "item_features";
    static final String USER_COLUMNS = "user_feature_columns";
    static final String ITEM_COLUMNS = "item_feature_columns";
    static final String USER_FIELDS = "user_fields";
    static final String ITEM_FIELDS = "item_fields";
    /** The extractor's kernel, for one that has one (ConvFormer): 0 means K = L, the paper's "ConvFormer" of Table B1. */
    static final String KERNEL = "extractor_kernel";
    /** The extractor's dropout rates (every one it has), or negative: the extractor's own defaults. */
    static final String DROPOUT = "extractor_dropout";

    /** A categorical field: its name, number of values and most values per row. */
    record FieldShape(String name, int vocabulary, int width) {
        static List<FieldShape> parse(Object spec) {
            List<FieldShape> out = new ArrayList<>();
            String s = spec == null ? "" : String.valueOf(spec).strip();
            if (s.isEmpty()) {
                return out;
            }
            for (String f : s.split(",")) {
                String[] parts = f.split(":");
                if (parts.length != 3) {
                    throw new SeqrecException("field '" + f + "' is not NAME:VALUES:WIDTH (recorded by training from the feature files)");
                }
                out.add(new FieldShape(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2])));
            }
            return out;
        }

        static String format(FeatureTable t) {
            List<String> parts = new ArrayList<>();
            for (FeatureTable.Field f : t.fields()) {
                parts.add(f.name() + ":" + f.vocabulary() + ":" + f.width());
            }
            return String.join(",", parts);
        }
    }

    private final NeuralSeqModel extractor;
    private final int hidden;
    private final int fieldDim;
    private final String users;
    private final List<FieldShape> userFields;
    private final List<FieldShape> itemFields;
    private final String userRows;
    private final String itemRows;
    private final List<Dense> mlp = new ArrayList<>();
    private final Dense out;

    Ctr(NDManager manager, int numItems, int numUsers, NeuralSeqModel extractor, int hidden, int fieldDim, int[] mlpSizes,
            List<FieldShape> userFields, float[] userValues, List<FieldShape> itemFields, float[] itemValues) {
        super(manager, numItems, extractor.maxLen(), numUsers);
        this.extractor = extractor;
        this.hidden = hidden;
        this.fieldDim = fieldDim;
        this.userFields = userFields;
        this.itemFields = itemFields;
        params.adopt(extractor.params());
        this.users = params.normal("ctr.user_embedding.weight", new Shape(numUsers + 1, fieldDim), 0.02f);
        this.userRows = featureRows("ctr.user_features", numUsers + 1, userFields, userValues, manager);
        this.itemRows = featureRows("ctr.item_features", numItems + 1, itemFields, itemValues, manager);
        for (FieldShape f : userFields) {
            params.normal("ctr.user_field." + f.name(), new Shape(f.vocabulary() + 1, fieldDim), 0.02f);
        }
        for (FieldShape f : itemFields) {
            params.normal("ctr.item_field." + f.name(), new Shape(f.vocabulary() + 1, fieldDim), 0.02f);
        }
        int in = 4 * hidden + fieldDim * (1 + userFields.size() + itemFields.size());
        for (int i = 0; i < mlpSizes.length; i++) {
            mlp.add(new Dense(params, "ctr.mlp." + i, in, mlpSizes[i]));
            in = mlpSizes[i];
        }
        this.out = new Dense(params, "ctr.out", in, 1);
    }

    /** A frozen [rows, total width] table of value numbers (as floats; 0 = none), or null without fields. */
    private String featureRows(String name, int rows, List<FieldShape> fields, float[] values, NDManager manager) {
        int width = fields.stream().mapToInt(FieldShape::width).sum();
        if (width == 0) {
            return null;
        }
        NDArray table = values == null ? manager.zeros(new Shape(rows, width)) : manager.create(values, new Shape(rows, width));
        return params.frozenValues(name, table);
    }

    @Override
    public String name() {
        return "ctr";
    }

    @Override
    protected String itemTable() {
        return extractor.itemIndexedWeights().get(0);
    }

    @Override
    public List<String> itemIndexedWeights() {
        List<String> w = new ArrayList<>(extractor.itemIndexedWeights());
        if (itemRows != null) {
            w.add(itemRows);
        }
        return w;
    }

    /** The extractor that reads the history (for tests). */
    NeuralSeqModel extractor() {
        return extractor;
    }

    /** {@code [interest; history sum; user id embedding; user fields]}: {@code [B, 2D + F (1 + user fields)]}. */
    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, NDArray userIds, boolean training) {
        NDArray interest = extractor.encodeLast(p, ids, training);
        NDArray real = ids.gt(0).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray history = extractor.itemEmbeddings(p, ids).mul(real).sum(new int[] {1}); // DIEN's item_his_eb_sum
        NDList parts = new NDList(interest, history, userRows(userIds, p.get(users)));
        parts.addAll(fields(p, userIds, userRows, userFields, "ctr.user_field."));
        return NDArrays.concat(parts, 1);
    }

    /** Each field's mean value embedding for rows {@code ids} of a feature table ({@code [P, F]} per field). */
    private List<NDArray> fields(Params.Bound p, NDArray ids, String table, List<FieldShape> shapes, String prefix) {
        List<NDArray> out = new ArrayList<>();
        if (table == null) {
            return out;
        }
        NDArray values = Nn.embedding(ids, p.get(table)).toType(DataType.INT64, false); // [P, total width]
        int at = 0;
        for (FieldShape f : shapes) {
            NDArray v = values.get(new NDIndex(":, " + at + ":" + (at + f.width())));
            NDArray present = v.gt(0).toType(DataType.FLOAT32, false);
            NDArray count = present.sum(new int[] {1}, true).maximum(1f);
            out.add(Nn.embedding(v, p.get(prefix + f.name())).mul(present.expandDims(2)).sum(new int[] {1}).div(count));
            at += f.width();
        }
        return out;
    }

    /** The logit of pairs: representations {@code rep [P, X]} from {@link #encodeLast} and items {@code ids [P]}. */
    NDArray pairScores(Params.Bound p, NDArray rep, NDArray ids) {
        NDArray target = extractor.itemEmbeddings(p, ids); // [P, D]
        NDArray history = rep.get(new NDIndex(":, " + hidden + ":" + 2 * hidden));
        NDList parts = new NDList(rep, target);
        parts.addAll(fields(p, ids, itemRows, itemFields, "ctr.item_field."));
        parts.add(target.mul(history));
        NDArray x = NDArrays.concat(parts, 1);
        for (Dense d : mlp) {
            x = Activation.relu(d.forward(p, x));
        }
        return out.forward(p, x).squeeze(1);
    }

    @Override
    public NDArray scoreItems(Params.Bound p, NDArray rep, NDArray ids) {
        return scorePairs(rep, ids, (r, items) -> pairScores(p, r, items));
    }

    @Override
    public NDArray scoreItemRange(Params.Bound p, NDArray rep, int from, int to) {
        return scorePairRange(rep, from, to, (r, items) -> pairScores(p, r, items));
    }

    /** Registry entry {@code ctr}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("ctr", "one-tower CTR model (DIEN's network, ConvFormer paper Table B1): a registry sequence model as interest extractor"
                    + " (--param extractor=convformer|sasrec|gru4rec|fmlp-rec), user and item profile features, MLP, point-wise loss");
        }

        @Override
        public boolean readsUsers() {
            return true;
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("extractor", "convformer");
            m.put("hidden", 64);
            m.put("max_len", 50);
            m.put(KERNEL, 0);
            m.put(DROPOUT, -1.0);
            m.put("field_dim", 16);
            m.put("mlp", "200,80");
            m.put(USER_FEATURES, "");
            m.put(ITEM_FEATURES, "");
            m.put(USER_COLUMNS, "");
            m.put(ITEM_COLUMNS, "");
            m.put(USER_FIELDS, "");
            m.put(ITEM_FIELDS, "");
            m.put(NUM_USERS, 0);
            return m;
        }

        @Override
        public Map<String, Object> dataParams(Map<String, Object> params, Dataset data) {
            Map<String, Object> out = super.dataParams(params, data);
            FeatureTable users = table(params, USER_FEATURES, USER_COLUMNS);
            FeatureTable items = table(params, ITEM_FEATURES, ITEM_COLUMNS);
            out.put(USER_FIELDS, users == null ? "" : FieldShape.format(users));
            out.put(ITEM_FIELDS, items == null ? "" : FieldShape.format(items));
            if (users != null) {
                coverage(params.get(USER_FEATURES), "users", data.numUsers(), u -> users.has(data.originalUserId(u)));
            }
            if (items != null) {
                coverage(params.get(ITEM_FEATURES), "items", data.numItems(), i -> items.has(data.itemMap().original(i + 1)));
            }
            return out;
        }

        private static void coverage(Object file, String what, int n, java.util.function.IntPredicate listed) {
            int found = 0;
            for (int i = 0; i < n; i++) {
                found += listed.test(i) ? 1 : 0;
            }
            if (found == 0) {
                throw new SeqrecException(file + " lists none of the data's " + n + " " + what + " (its ids must be the log's original ids)");
            }
            LOG.info("{}: features for {} of {} {} (the others have none)", file, found, n, what);
        }

        private static FeatureTable table(Map<String, Object> params, String file, String columns) {
            String path = String.valueOf(params.getOrDefault(file, "")).strip();
            if (path.isEmpty()) {
                return null;
            }
            String cols = String.valueOf(params.getOrDefault(columns, "")).strip();
            return FeatureTable.read(Path.of(path), cols.isEmpty() ? List.of() : Arrays.stream(cols.split(",")).map(String::strip).toList());
        }

        /** The fields' value numbers as one row per user (row 0: none) or item (row 0: padding), flattened. */
        private static float[] values(FeatureTable t, int rows, java.util.function.IntFunction<String> idOfRow) {
            int w = t.width();
            float[] v = new float[rows * w];
            for (int r = 1; r < rows; r++) {
                int[] row = t.row(idOfRow.apply(r));
                for (int j = 0; j < w; j++) {
                    v[r * w + j] = row[j];
                }
            }
            return v;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, Dataset data, Map<String, Object> params) {
            FeatureTable users = table(params, USER_FEATURES, USER_COLUMNS);
            FeatureTable items = table(params, ITEM_FEATURES, ITEM_COLUMNS);
            return build(manager, data.numItems(), params, users == null ? null : values(users, data.numUsers() + 1, r -> data.originalUserId(r - 1)),
                    items == null ? null : values(items, data.numItems() + 1, r -> data.itemMap().original(r)));
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return build(manager, numItems, params, null, null); // feature values come from the saved weights
        }

        private NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params, float[] userValues, float[] itemValues) {
            String name = String.valueOf(params.getOrDefault("extractor", "convformer"));
            ModelSpec spec = ModelRegistry.get(name);
            if (!(spec instanceof NeuralSpec neural) || neural.readsUsers()) {
                throw new SeqrecException("extractor '" + name + "' is not a sequence model of the registry (e.g. convformer, sasrec,"
                        + " gru4rec, fmlp-rec)");
            }
            int hidden = Hyper.intOf(params, "hidden", 64);
            int maxLen = Hyper.intOf(params, "max_len", 50);
            Map<String, Object> inner = new LinkedHashMap<>(neural.defaults());
            inner.put("hidden", hidden);
            inner.put("max_len", maxLen);
            int k = Hyper.intOf(params, KERNEL, 0);
            if (k > 0 && inner.containsKey("kernel")) {
                inner.put("kernel", k);
            } else if (k == 0 && name.startsWith("conv")) { // ConvFormer and its variants: K = L, the paper's "ConvFormer"
                inner.put("kernel", maxLen);
            }
            double dropout = Hyper.floatOf(params, DROPOUT, -1f);
            if (dropout >= 0) {
                inner.replaceAll((key, v) -> key.contains("dropout") ? dropout : v);
            }
            NeuralSeqModel extractor = neural.build(manager, numItems, inner);
            String sizes = String.valueOf(params.getOrDefault("mlp", "200,80"));
            if (!sizes.matches("\\s*([1-9]\\d{0,5}\\s*(,\\s*[1-9]\\d{0,5}\\s*)*)?")) {
                throw new SeqrecException("ctr: mlp must be layer sizes separated by commas (e.g. 200,80; empty: no hidden layer), got '"
                        + sizes + "'");
            }
            int[] mlp = Arrays.stream(sizes.split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
            return new Ctr(manager, numItems, Hyper.intOf(params, NUM_USERS, 0), extractor, hidden, Hyper.intOf(params, "field_dim", 16),
                    mlp, FieldShape.parse(params.get(USER_FIELDS)), userValues, FieldShape.parse(params.get(ITEM_FIELDS)), itemValues);
        }
    }
}
