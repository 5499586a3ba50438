package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Map;
import java.util.TreeMap;

/**
 * The session graph of SR-GNN and GC-SAN (RecBole's {@code _get_slice} and {@code GNN}): a history's distinct
 * items are its nodes, consecutive items an edge ({@link #of}); {@code steps} gated graph-network steps update
 * the node embeddings, {@code a = [A_in (H W_in + b_in) + b_iah, A_out (H W_out + b_out) + b_oah]} then a GRU
 * cell with input a and state H; {@link #forward} returns every position's node state. Weights U(±stdv).
 */
public final class SessionGraph {
    private final Dense edgeIn;
    private final Dense edgeOut;
    private final String biasIah;
    private final String biasOah;
    private final String wIh;
    private final String bIh;
    private final String wHh;
    private final String bHh;
    private final int d;
    private final int steps;

    /** One batch's graphs: node items {@code [B, N]}, adjacency {@code [B, N, 2N]} (in | out), each position's node {@code [B, L]}. */
    public record Graph(long[] nodes, float[] adjacency, long[] alias, int rows, int maxNodes, int len) {}

    public SessionGraph(Params p, String name, int d, int steps, float stdv) {
        this.d = d;
        this.steps = steps;
        this.edgeIn = Dense.uniform(p, name + ".edge_in", d, d, stdv);
        this.edgeOut = Dense.uniform(p, name + ".edge_out", d, d, stdv);
        this.biasIah = p.uniform(name + ".b_iah", new Shape(d), stdv);
        this.biasOah = p.uniform(name + ".b_oah", new Shape(d), stdv);
        this.wIh = p.uniform(name + ".w_ih", new Shape(3L * d, 2L * d), stdv);
        this.bIh = p.uniform(name + ".b_ih", new Shape(3L * d), stdv);
        this.wHh = p.uniform(name + ".w_hh", new Shape(3L * d, d), stdv);
        this.bHh = p.uniform(name + ".b_hh", new Shape(3L * d), stdv);
    }

    /**
     * The graphs of left-padded histories {@code ids [B, L]}: per row its distinct items in ascending order
     * (padded with item 0 up to the batch's most), {@code A_in[v][u] = e(u, v) / indeg(v)} in the first N
     * columns and {@code A_out[v][u] = e(v, u) / outdeg(v)} in the last N, where {@code e(u, v)} is 1 when item
     * v follows item u somewhere in the history (however often); padded positions map to node 0 (masked by callers).
     */
    public static Graph of(long[] ids, int rows, int len) {
        int maxNodes = 1;
        java.util.List<TreeMap<Long, Integer>> index = new java.util.ArrayList<>();
        for (int b = 0; b < rows; b++) {
            TreeMap<Long, Integer> nodes = new TreeMap<>();
            for (int t = 0; t < len; t++) {
                long item = ids[b * len + t];
                if (item > 0) {
                    nodes.putIfAbsent(item, 0);
                }
            }
            int i = 0;
            for (Map.Entry<Long, Integer> e : nodes.entrySet()) {
                e.setValue(i++);
            }
            maxNodes = Math.max(maxNodes, i);
            index.add(nodes);
        }
        int n = maxNodes;
        long[] nodes = new long[rows * n];
        float[] adj = new float[rows * n * 2 * n];
        long[] alias = new long[rows * len];
        for (int b = 0; b < rows; b++) {
            for (Map.Entry<Long, Integer> e : index.get(b).entrySet()) {
                nodes[b * n + e.getValue()] = e.getKey();
            }
            float[][] edge = new float[n][n];
            int prev = -1;
            for (int t = 0; t < len; t++) {
                long item = ids[b * len + t];
                if (item <= 0) {
                    continue;
                }
                int node = index.get(b).get(item);
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
                    adj[(b * n + v) * 2 * n + u] = in == 0 ? 0 : edge[u][v] / in;
                    adj[(b * n + v) * 2 * n + n + u] = out == 0 ? 0 : edge[v][u] / out;
                }
            }
        }
        return new Graph(nodes, adj, alias, rows, n, len);
    }

    /** Every position's node state after the graph steps, {@code [B, L, D]}, from the item table {@code items}. */
    public NDArray forward(Params.Bound p, NDArray ids, NDArray items) {
        int rows = (int) ids.getShape().get(0);
        int len = (int) ids.getShape().get(1);
        Graph g = of(ids.toLongArray(), rows, len);
        NDManager m = p.manager();
        int n = g.maxNodes();
        NDArray a = m.create(g.adjacency(), new Shape(rows, n, 2L * n));
        NDArray aIn = a.get(":, :, :" + n);
        NDArray aOut = a.get(":, :, " + n + ":");
        NDArray hidden = Nn.embedding(m.create(g.nodes(), new Shape(rows, n)), items); // [B, N, D]
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
        return Nn.embedding(m.create(flat, new Shape(rows, len)), hidden.reshape(rows * (long) n, d));
    }
}
