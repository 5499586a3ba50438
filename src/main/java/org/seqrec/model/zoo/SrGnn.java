package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Map;
import java.util.TreeMap;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * SR-GNN (Wu et al., AAAI 2019), as RecBole's {@code SRGNN}: each history is a session graph (its distinct
 * items are the nodes, consecutive items an edge), with incoming edges normalised by the node's in-degree
 * and outgoing ones by its out-degree ({@link #graph}); {@code step} gated graph-network steps update the
 * node embeddings ({@code a = [A_in (H W_in + b_in) + b_iah, A_out (H W_out + b_out) + b_oah]}, then a GRU
 * cell with input a and state H); the last item's node is the local interest {@code h_t}; the global one is
 * {@code Σ_i α_i v_i} over the history's positions with {@code α_i = w_3ᵀ σ(W_1 h_t + W_2 v_i)}; the
 * representation is {@code W_T [global; h_t]}, scored by the dot product with the item embeddings.
 * Trained with softmax cross-entropy on the last position (prefix-CE), as RecBole. Defaults: D 64, one
 * step, every weight U(-1/√D, 1/√D) as RecBole initialises them, L 50, lr 1e-3, batch 256.
 */
public final class SrGnn extends NeuralSeqModel {
    private final String items;
    private final Dense edgeIn;
    private final Dense edgeOut;
    private final String biasIah;
    private final String biasOah;
    private final String wIh;
    private final String bIh;
    private final String wHh;
    private final String bHh;
    private final Dense one;
    private final Dense two;
    private final String three;
    private final Dense transform;
    private final int d;
    private final int steps;

    /** One batch's session graphs: node items {@code [B, N]}, adjacency {@code [B, N, 2N]} (in | out), each position's node {@code [B, L]}. */
    public record Graph(long[] nodes, float[] adjacency, long[] alias, int rows, int maxNodes, int len) {}

    public SrGnn(NDManager manager, int numItems, Hyper h, int steps) {
        super(manager, numItems, h.maxLen());
        this.d = h.hidden();
        this.steps = steps;
        float stdv = (float) (1.0 / Math.sqrt(d));
        this.items = params.uniform("item_emb", new Shape(numItems + 1, d), stdv);
        this.edgeIn = uniformDense("gnn.edge_in", d, d, stdv);
        this.edgeOut = uniformDense("gnn.edge_out", d, d, stdv);
        this.biasIah = params.uniform("gnn.b_iah", new Shape(d), stdv);
        this.biasOah = params.uniform("gnn.b_oah", new Shape(d), stdv);
        this.wIh = params.uniform("gnn.w_ih", new Shape(3L * d, 2L * d), stdv);
        this.bIh = params.uniform("gnn.b_ih", new Shape(3L * d), stdv);
        this.wHh = params.uniform("gnn.w_hh", new Shape(3L * d, d), stdv);
        this.bHh = params.uniform("gnn.b_hh", new Shape(3L * d), stdv);
        this.one = uniformDense("linear_one", d, d, stdv);
        this.two = uniformDense("linear_two", d, d, stdv);
        this.three = params.uniform("linear_three.weight", new Shape(1, d), stdv);
        this.transform = uniformDense("linear_transform", 2 * d, d, stdv);
    }

    private Dense uniformDense(String name, int in, int out, float stdv) {
        Dense dense = new Dense(params, name, in, out);
        try (NDManager tmp = params.manager().newSubManager()) { // RecBole's reset: every weight U(-stdv, stdv)
            for (String w : new String[] {name + ".weight", name + ".bias"}) {
                NDArray a = params.get(w);
                Params.write(a, tmp.randomUniform(-stdv, stdv, a.getShape()).toFloatArray(), tmp);
            }
        }
        return dense;
    }

    @Override
    public String name() {
        return "srgnn";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    /**
     * The session graphs of left-padded histories {@code ids [B, L]}: per row its distinct items in
     * ascending order (padded with item 0 up to the batch's most), {@code A_in[v][u] = e(u, v) / indeg(v)}
     * in the first N columns and {@code A_out[u][v] = e(u, v) / outdeg(u)} in the last N, where {@code e} is 1
     * when item v follows item u somewhere in the history (RecBole's {@code _get_slice}); padded positions
     * map to node 0 and are masked later.
     */
    public static Graph graph(long[] ids, int rows, int len) {
        int maxNodes = 1;
        TreeMap<Long, Integer>[] index = newMaps(rows);
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < len; t++) {
                long item = ids[b * len + t];
                if (item > 0) {
                    index[b].putIfAbsent(item, 0);
                }
            }
            int i = 0;
            for (Map.Entry<Long, Integer> e : index[b].entrySet()) {
                e.setValue(i++);
            }
            maxNodes = Math.max(maxNodes, i);
        }
        int n = maxNodes;
        long[] nodes = new long[rows * n];
        float[] adj = new float[rows * n * 2 * n];
        long[] alias = new long[rows * len];
        for (int b = 0; b < rows; b++) {
            for (Map.Entry<Long, Integer> e : index[b].entrySet()) {
                nodes[b * n + e.getValue()] = e.getKey();
            }
            float[][] edge = new float[n][n];
            int prev = -1;
            for (int t = 0; t < len; t++) {
                long item = ids[b * len + t];
                if (item <= 0) {
                    continue;
                }
                int node = index[b].get(item);
                alias[b * len + t] = node;
                if (prev >= 0) {
                    edge[prev][node] = 1f;
                }
                prev = node;
            }
            for (int v = 0; v < n; v++) {
                float in = 0;
                float out = 0;
                for (int u = 0; u < n; u++) {
                    in += edge[u][v];
                    out += edge[v][u];
                }
                for (int u = 0; u < n; u++) {
                    adj[(b * n + v) * 2 * n + u] = in == 0 ? 0 : edge[u][v] / in; // row v: its incoming edges
                    adj[(b * n + v) * 2 * n + n + u] = out == 0 ? 0 : edge[v][u] / out; // row v: its outgoing edges
                }
            }
        }
        return new Graph(nodes, adj, alias, rows, n, len);
    }

    @SuppressWarnings("unchecked")
    private static TreeMap<Long, Integer>[] newMaps(int rows) {
        TreeMap<Long, Integer>[] maps = new TreeMap[rows];
        for (int i = 0; i < rows; i++) {
            maps[i] = new TreeMap<>();
        }
        return maps;
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        int rows = (int) ids.getShape().get(0);
        int len = (int) ids.getShape().get(1);
        Graph g = graph(ids.toLongArray(), rows, len);
        NDManager m = p.manager();
        int n = g.maxNodes();
        NDArray a = m.create(g.adjacency(), new Shape(rows, n, 2L * n));
        NDArray aIn = a.get(":, :, :" + n);
        NDArray aOut = a.get(":, :, " + n + ":");
        NDArray hidden = Nn.embedding(m.create(g.nodes(), new Shape(rows, n)), p.get(items)); // [B, N, D]
        for (int s = 0; s < steps; s++) {
            NDArray inputIn = aIn.matMul(edgeIn.forward(p, hidden)).add(p.get(biasIah));
            NDArray inputOut = aOut.matMul(edgeOut.forward(p, hidden)).add(p.get(biasOah));
            NDArray gi = inputIn.concat(inputOut, 2).matMul(p.get(wIh).transpose()).add(p.get(bIh));
            NDArray gh = hidden.matMul(p.get(wHh).transpose()).add(p.get(bHh));
            NDList i3 = gi.split(3, 2);
            NDList h3 = gh.split(3, 2);
            NDArray reset = Activation.sigmoid(i3.get(0).add(h3.get(0)));
            NDArray input = Activation.sigmoid(i3.get(1).add(h3.get(1)));
            NDArray fresh = i3.get(2).add(reset.mul(h3.get(2))).tanh();
            hidden = hidden.add(input.mul(fresh.sub(hidden))); // (1 - z) h + z n
        }
        long[] flat = new long[rows * len];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < len; t++) {
                flat[b * len + t] = (long) b * n + g.alias()[b * len + t];
            }
        }
        NDArray seq = Nn.embedding(m.create(flat, new Shape(rows, len)), hidden.reshape(rows * (long) n, d)); // [B, L, D]
        NDArray last = seq.get(":, -1, :"); // the newest item's node (left padding)
        NDArray mask = ids.gt(0).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray q = Activation.sigmoid(one.forward(p, last).expandDims(1).add(two.forward(p, seq)));
        NDArray alpha = q.matMul(p.get(three).transpose()); // [B, L, 1]
        NDArray global = alpha.mul(seq).mul(mask).sum(new int[] {1});
        return transform.forward(p, global.concat(last, 1));
    }

    /** Registry entry {@code srgnn}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("srgnn", "SR-GNN (Wu et al. 2019): gated graph network over the session graph, attention readout, prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("step", 1);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new SrGnn(manager, numItems, Hyper.from(params), Hyper.intOf(params, "step", 1));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
