package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/**
 * AutoInt against its interacting layers written out with plain arrays (the paper's eq. 5-8 and 11: per head
 * {@code alpha_mk = softmax_k <W_Q e_m, W_K e_k>}, {@code e_m <- ReLU(concat_h sum_k alpha_mk W_V e_k + W_Res e_m)}, score
 * {@code w . [e_u; e_i] + b}), and every scoring path (all items in passes, candidates, single pairs) agreeing with it.
 */
class AutoIntTest {
    static final int D = 4;
    static final int ATT = 3;
    static final int HEADS = 2;
    static final int LAYERS = 2;
    static final int ITEMS = 7;
    static final int USERS = 3;

    @Test
    void scoresAreTheInteractingLayersOverUserAndItem() {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            AutoInt model = (AutoInt) new AutoInt.Spec().build(m, ITEMS, Map.of("hidden", D, "attention_size", ATT, "heads", HEADS,
                    "layers", LAYERS, "max_len", 3, "num_users", USERS));
            for (String name : model.params().all().keySet()) {
                NDArray w = model.params().get(name);
                Params.write(w, m.randomUniform(-0.8f, 0.8f, w.getShape(), DataType.FLOAT32).toFloatArray(), m);
            }
            int[] users = {0, 2, -1};
            HistoryBatch batch = new HistoryBatch(users, new int[][] {{1}, {2, 3}, {4}}, new int[] {1, 2, 1}, null);
            float[] all = model.scoreAll(batch, m).toFloatArray();
            float[] userTable = model.params().get("user_embedding.weight").toFloatArray();
            float[] itemTable = model.params().get("item_embedding.weight").toFloatArray();
            for (int r = 0; r < users.length; r++) {
                double[] u = new double[D];
                if (users[r] >= 0) {
                    for (int j = 0; j < D; j++) {
                        u[j] = userTable[(users[r] + 1) * D + j];
                    }
                }
                for (int i = 1; i <= ITEMS; i++) {
                    double[] e = new double[D];
                    for (int j = 0; j < D; j++) {
                        e[j] = itemTable[i * D + j];
                    }
                    double expected = reference(model, u, e);
                    assertThat((double) all[r * (ITEMS + 1) + i]).as("row %d item %d", r, i).isCloseTo(expected, Offset.offset(1e-4));
                }
            }
            // passes of a few pairs give the same matrix
            Params.Bound p = model.params().bind(m);
            NDArray rep = model.encodeLast(p, batch.paddedInputs(m, 3), model.userRows(users, 0, 3, m), false);
            float[] whole = model.scoreItemRange(p, rep, 0, ITEMS + 1).toFloatArray();
            assertThat(whole).containsExactly(all, Offset.offset(1e-5f));
            // passes of one item (three pairs) give the same matrix, and outside autograd each pass's intermediates are freed:
            // what a call leaves in its scope does not grow with the network's depth times the passes
            model.pairsPerPass(3);
            int[] left = new int[2];
            float[][] scores = new float[2][];
            for (int recording = 0; recording < 2; recording++) {
                ai.djl.pytorch.jni.JniUtils.setGradMode(recording == 1);
                try (NDManager scope = m.newSubManager()) {
                    NDArray r = rep.duplicate();
                    r.attach(scope);
                    int before = scope.getManagedArrays().size();
                    scores[recording] = model.scoreItemRange(model.params().bind(scope), r, 0, ITEMS + 1).toFloatArray();
                    left[recording] = scope.getManagedArrays().size() - before;
                }
            }
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            assertThat(scores[0]).containsExactly(all, Offset.offset(1e-5f));
            assertThat(scores[1]).containsExactly(all, Offset.offset(1e-5f));
            assertThat(left[0]).as("arrays left by 8 released passes, against %d kept while recording", left[1]).isLessThan(left[1] / 4);
            model.pairsPerPass(NeuralSeqModel.PAIRS_PER_PASS);
            NDArray cand = m.create(new long[] {3, 7, 1, 2, 6, 6}, new Shape(3, 2));
            float[] some = model.scoreCandidates(batch, cand, m).toFloatArray();
            long[] c = cand.toLongArray();
            for (int k = 0; k < some.length; k++) {
                assertThat(some[k]).isCloseTo(all[(k / 2) * (ITEMS + 1) + (int) c[k]], Offset.offset(1e-5f));
            }
        }
    }

    /** The network on one (user, item) pair, with plain arrays; weights stored [in, heads * att]. */
    private static double reference(AutoInt model, double[] u, double[] e) {
        double[][] x = {u, e};
        int in = D;
        for (int l = 0; l < LAYERS; l++) {
            float[] wq = model.params().get("layers." + l + ".query").toFloatArray();
            float[] wk = model.params().get("layers." + l + ".key").toFloatArray();
            float[] wv = model.params().get("layers." + l + ".value").toFloatArray();
            float[] wr = model.params().get("layers." + l + ".residual").toFloatArray();
            int width = HEADS * ATT;
            double[][] q = project(x, wq, in, width);
            double[][] k = project(x, wk, in, width);
            double[][] v = project(x, wv, in, width);
            double[][] res = project(x, wr, in, width);
            double[][] next = new double[2][width];
            for (int f = 0; f < 2; f++) {
                for (int h = 0; h < HEADS; h++) {
                    double[] logits = new double[2];
                    for (int g = 0; g < 2; g++) {
                        for (int a = 0; a < ATT; a++) {
                            logits[g] += q[f][h * ATT + a] * k[g][h * ATT + a];
                        }
                    }
                    double mx = Math.max(logits[0], logits[1]);
                    double z = Math.exp(logits[0] - mx) + Math.exp(logits[1] - mx);
                    for (int a = 0; a < ATT; a++) {
                        double mixed = 0;
                        for (int g = 0; g < 2; g++) {
                            mixed += Math.exp(logits[g] - mx) / z * v[g][h * ATT + a];
                        }
                        next[f][h * ATT + a] = Math.max(0, mixed + res[f][h * ATT + a]);
                    }
                }
            }
            x = next;
            in = width;
        }
        float[] w = model.params().get("output.weight").toFloatArray();
        double y = model.params().get("output.bias").toFloatArray()[0];
        for (int f = 0; f < 2; f++) {
            for (int j = 0; j < in; j++) {
                y += w[f * in + j] * x[f][j];
            }
        }
        return y;
    }

    private static double[][] project(double[][] x, float[] w, int in, int out) {
        double[][] y = new double[x.length][out];
        for (int f = 0; f < x.length; f++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    y[f][o] += x[f][i] * w[i * out + o];
                }
            }
        }
        return y;
    }
}
