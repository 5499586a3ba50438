package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Norm;
import org.seqrec.nn.Params;
import org.seqrec.util.SeqrecException;

/**
 * NextItNet (Yuan et al., WSDM 2019), as RecBole's {@code NextItNet} that AdaMCT's Table 2 ran: item
 * embeddings (no positions), a stack of residual blocks, each two dilated causal 1-D convolutions over time
 * (D -> D channels, kernel K, dilations {@code d} then {@code 2d}), each followed by LayerNorm and ReLU,
 * {@code h + block(h)}; the dilations are the list {@code dilations} repeated {@code block_num} times; a
 * final dense map D -> D, and the dot product with the item embeddings. Causal (position t reads positions
 * up to t only, over a receptive field of {@code (K-1)·Σ 3d} steps), so it trains as its paper does: every position
 * predicts its next item with a softmax over all items ({@code all-positions-CE}; RecBole's loss too, which scores each
 * prefix as a sample at its last position: the same targets, up to those whose prefix is longer than L). The left
 * padding is part of the input, as in the original's left-padded sessions. {@code --param regime=all-positions} trains
 * it with BCE and one negative per position instead (this library's default before the softmax). Defaults: RecBole's (D 64, K 3, dilations 1,4, 5 blocks, no dropout)
 * with the common L 50, lr 1e-3, batch 256. Conv weights N(0, 0.02) as the other models (RecBole: Xavier).
 */
public final class NextItNet extends NeuralSeqModel {
    private final String items;
    private final List<Block> blocks = new ArrayList<>();
    private final Dense last;
    private final int k;

    /** One residual block: conv (dilation d) + LN + ReLU, conv (2d) + LN + ReLU, plus the input. */
    private record Block(String w1, String b1, Norm n1, String w2, String b2, Norm n2, int dilation) {}

    /** The options beyond {@link Hyper}: kernel, the dilation list and how often it repeats. */
    public record Options(int kernel, int[] dilations, int blockNum) {
        static Options from(Map<String, Object> params) {
            String text = String.valueOf(params.getOrDefault("dilations", "1,4"));
            int[] d;
            try {
                d = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            } catch (NumberFormatException e) {
                throw new SeqrecException("dilations must be positive integers separated by commas, got '" + text + "'");
            }
            if (d.length == 0 || Arrays.stream(d).anyMatch(x -> x < 1 || x > 4096)) {
                throw new SeqrecException("dilations must be integers in 1..4096, got '" + text + "'");
            }
            return new Options(Hyper.intOf(params, "kernel", 3), d, Hyper.intOf(params, "block_num", 5));
        }

        /** How many steps back the last layer can see: {@code (K-1)·Σ (d + 2d)} over every block. */
        public int receptiveField() {
            return (kernel - 1) * 3 * Arrays.stream(dilations).sum() * blockNum;
        }
    }

    public NextItNet(NDManager manager, int numItems, Hyper h, Options o) {
        super(manager, numItems, h.maxLen());
        int d = h.hidden();
        this.k = o.kernel();
        this.items = params.normal("item_emb", new Shape(numItems + 1, d), 0.02f);
        int i = 0;
        for (int rep = 0; rep < o.blockNum(); rep++) {
            for (int dilation : o.dilations()) {
                String name = "blocks." + i++;
                blocks.add(new Block(params.normal(name + ".conv1.weight", new Shape(d, d, k), 0.02f), params.zeros(name + ".conv1.bias",
                        new Shape(d)), new Norm(params, name + ".norm1", d), params.normal(name + ".conv2.weight", new Shape(d, d, k), 0.02f),
                        params.zeros(name + ".conv2.bias", new Shape(d)), new Norm(params, name + ".norm2", d), dilation));
            }
        }
        this.last = new Dense(params, "final", d, d);
    }

    @Override
    public String name() {
        return "nextitnet";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = ids.gt(0).expandDims(2);
        NDArray h = Nn.embedding(ids, p.get(items));
        h = h.mul(mask.toType(h.getDataType(), false)); // [B, L, D], padding 0
        for (Block b : blocks) {
            NDArray out = Activation.relu(b.n1().forward(p, causal(h, p.get(b.w1()), p.get(b.b1()), b.dilation())));
            out = Activation.relu(b.n2().forward(p, causal(out, p.get(b.w2()), p.get(b.b2()), 2 * b.dilation())));
            h = h.add(out);
        }
        return last.forward(p, h);
    }

    /**
     * {@code y[t] = b + Σ_j W[:, :, j] · x[t - (K-1-j)·dilation]}, zero before the start: the engine's
     * convolution padded on both sides, of which the first L outputs are the causal ones.
     */
    private NDArray causal(NDArray x, NDArray w, NDArray bias, int dilation) {
        long len = x.getShape().get(1);
        int pad = (k - 1) * dilation;
        NDArray y = Conv1d.conv1d(x.transpose(0, 2, 1), w, bias, new Shape(1), new Shape(pad), new Shape(dilation), 1).singletonOrThrow();
        return y.get(new ai.djl.ndarray.index.NDIndex(":, :, :" + len)).transpose(0, 2, 1);
    }

    /** Registry entry {@code nextitnet}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("nextitnet", "NextItNet (Yuan et al. 2019): dilated causal residual convolutions, softmax CE at every position");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("dropout", 0.0);
            m.put("kernel", 3);
            m.put("dilations", "1,4");
            m.put("block_num", 5);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new NextItNet(manager, numItems, Hyper.from(params), Options.from(params));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.AllPositionsCe();
        }
    }
}
