package org.seqrec.interop;

import java.util.Map;
import org.seqrec.util.SeqrecException;

/**
 * RecBole's checkpoints ({@code torch.save} of {@code {'config', 'state_dict', 'optimizer', ...}}, its
 * trainer's {@code _save_checkpoint}): the model named by the config's {@code final_config_dict}, with
 * RecBole's parameter names (its {@code recbole/model/sequential_recommender/*.py}). RecBole right-pads
 * histories and reads the output at the last item; seqrec left-pads, so each model below is mapped only
 * where the two give the same scores (the fixtures of {@code src/test/resources/interop} check it to 1e-5).
 *
 * <ul>
 *   <li>GRU4Rec: seqrec's gru4rec with {@code gru_hidden} = RecBole's hidden_size, {@code gru_bias false}
 *       (RecBole's {@code nn.GRU(bias=False)}).
 *   <li>SASRec: seqrec's sasrec with {@code block post-ln}: RecBole's post-LN BERT blocks, inner size,
 *       positions counted from the oldest item, no final LayerNorm.
 * </ul>
 *
 * Refused, with the reason: BERT4Rec (its inference drops the oldest item and uses mask id n_items),
 * Caser (a user embedding and a ReLU output that seqrec's Caser lacks), AdaMCT and RecGRELA (upstream
 * computes over right-padded positions: per-position squeeze-excitation, a two-sided convolution, sums and
 * means over padding, which left padding cannot reproduce), FMLP-Rec (not a RecBole model).
 */
final class RecBoleSource implements Source {
    @Override
    public String name() {
        return "recbole";
    }

    @Override
    public String description() {
        return "RecBole checkpoints (.pth of its trainer): GRU4Rec, SASRec";
    }

    @Override
    public Mapped map(Checkpoint ck, Map<String, String> options) {
        Map<?, ?> cfg = config(ck);
        String model = cfg == null ? guess(ck) : String.valueOf(cfg.get("model"));
        return switch (model) {
            case "GRU4Rec" -> gru4rec(ck, cfg);
            case "SASRec" -> sasrec(ck, cfg);
            case "BERT4Rec" -> throw refuse(model, "at inference RecBole's BERT4Rec drops the oldest item of every history and appends its"
                    + " mask token (id n_items); seqrec's bert4rec keeps the history and uses another mask row");
            case "Caser" -> throw refuse(model, "RecBole's Caser adds a user embedding and a ReLU to its output and scores with the input item"
                    + " table; seqrec's Caser has neither and a separate output table with a bias");
            case "AdaMCT", "RecGRELA" -> throw refuse(model, "the upstream model computes over the right-padded window (per-position"
                    + " weights, a two-sided convolution, means and sums that include padded positions), which seqrec's left-padded"
                    + " model cannot reproduce exactly");
            default -> throw refuse(model, "seqrec maps RecBole's GRU4Rec and SASRec");
        };
    }

    /** The inverse of {@link #map}: a seqrec gru4rec (bias-free) or sasrec (block post-ln) under RecBole's state-dict names. */
    @Override
    public Map<String, Tensor> export(String model, Map<String, Object> params, Map<String, Tensor> weights) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        int layers = ((Number) params.get("layers")).intValue();
        if (model.equals("gru4rec")) {
            if (!Boolean.FALSE.equals(params.get("gru_bias"))) {
                throw new SeqrecException("this gru4rec has GRU biases (gru_bias true), which RecBole's GRU4Rec does not have: it cannot be"
                        + " exported in RecBole's convention exactly");
            }
            gruNames(layers, false).exportInto(weights, out);
            return out;
        }
        if (model.equals("sasrec")) {
            if (!"post-ln".equals(params.get("block"))) {
                throw new SeqrecException("this sasrec has Kang's blocks; RecBole's SASRec is seqrec's sasrec with block post-ln");
            }
            sasrecNames(layers).exportInto(weights, out);
            return out;
        }
        throw new SeqrecException("the recbole convention holds gru4rec (gru_bias false) and sasrec (block post-ln), not " + model);
    }

    /** RecBole's GRU4Rec names (gru4rec.py: item_embedding, gru_layers, dense). */
    private static NameTable gruNames(int layers, boolean bias) {
        NameTable t = new NameTable().items("item_emb", "item_embedding.weight");
        for (int l = 0; l < layers; l++) {
            t.add("gru." + l + ".w_ih", "gru_layers.weight_ih_l" + l).add("gru." + l + ".w_hh", "gru_layers.weight_hh_l" + l);
            if (bias) {
                t.add("gru." + l + ".b_ih", "gru_layers.bias_ih_l" + l).add("gru." + l + ".b_hh", "gru_layers.bias_hh_l" + l);
            }
        }
        return t.add("out.weight", "dense.weight").add("out.bias", "dense.bias");
    }

    /** RecBole's SASRec names (sasrec.py with layers.py's TransformerEncoder) beside seqrec's sasrec with block post-ln. */
    private static NameTable sasrecNames(int layers) {
        NameTable t = new NameTable().items("item_emb", "item_embedding.weight").add("pos_emb", "position_embedding.weight")
                .add("emb_norm.weight", "LayerNorm.weight").add("emb_norm.bias", "LayerNorm.bias");
        for (int i = 0; i < layers; i++) {
            String src = "trm_encoder.layer." + i + ".";
            String dst = "blocks." + i + ".";
            for (String[] qkv : new String[][] {{"query", "q"}, {"key", "k"}, {"value", "v"}, {"dense", "out"}}) {
                for (String w : new String[] {".weight", ".bias"}) {
                    t.add(dst + "mixer." + qkv[1] + w, src + "multi_head_attention." + qkv[0] + w);
                }
            }
            for (String w : new String[] {".weight", ".bias"}) {
                t.add(dst + "norm1" + w, src + "multi_head_attention.LayerNorm" + w).add(dst + "ffn.w1" + w, src + "feed_forward.dense_1" + w)
                        .add(dst + "ffn.w2" + w, src + "feed_forward.dense_2" + w).add(dst + "norm2" + w, src + "feed_forward.LayerNorm" + w);
            }
        }
        return t;
    }

    private static SeqrecException refuse(String model, String why) {
        return new SeqrecException("RecBole " + model + " checkpoints are not imported: " + why);
    }

    /** The config's {@code final_config_dict}, or null when the checkpoint has no config. */
    private static Map<?, ?> config(Checkpoint ck) {
        Object c = ck.extra("config");
        if (c == null) {
            return null;
        }
        Object fc = c instanceof TorchCheckpoint.PyObject p ? p.attribute("final_config_dict") : c instanceof Map<?, ?> m
                ? m.get("final_config_dict") : null;
        if (!(fc instanceof Map<?, ?> m) || m.get("model") == null) {
            throw new SeqrecException("checkpoint " + ck.file() + ": its config has no final_config_dict naming the model (not a RecBole"
                    + " checkpoint?)");
        }
        return m;
    }

    private static String guess(Checkpoint ck) {
        if (ck.has("gru_layers.weight_ih_l0")) {
            return "GRU4Rec";
        }
        if (ck.has("trm_encoder.layer.0.multi_head_attention.query.weight") && ck.has("position_embedding.weight")
                && !ck.has("output_bias")) {
            return "SASRec";
        }
        throw new SeqrecException("checkpoint " + ck.file() + " has no RecBole config and its keys are not GRU4Rec's or SASRec's");
    }

    private static Integer intOf(Map<?, ?> cfg, String key) {
        Object v = cfg == null ? null : cfg.get(key);
        return v instanceof Number n ? n.intValue() : null;
    }

    private static void maxLen(Mapped m, Map<?, ?> cfg) {
        Integer len = intOf(cfg, "MAX_ITEM_LIST_LENGTH");
        if (len != null) {
            m.param("max_len", len);
        } else {
            m.requires("max_len", "RecBole's MAX_ITEM_LIST_LENGTH: histories are cut to their last max_len items");
        }
    }

    private static Mapped gru4rec(Checkpoint ck, Map<?, ?> cfg) {
        Tensor items = ck.take("item_embedding.weight");
        long e = items.shape()[1];
        int layers = 0;
        while (ck.has("gru_layers.weight_ih_l" + layers)) {
            layers++;
        }
        long h = ck.take("gru_layers.weight_hh_l0").shape()[1];
        boolean bias = ck.has("gru_layers.bias_ih_l0");
        Mapped m = new Mapped("gru4rec");
        gruNames(layers, bias).mapInto(ck, m);
        ck.checkAllUsed("RecBole's GRU4Rec");
        if (bias) {
            throw refuse("GRU4Rec", "this GRU has biases: a biased GRU moves its state over seqrec's left padding, so the scores would"
                    + " differ from RecBole's (RecBole's GRU4Rec has none)");
        }
        m.param("hidden", (int) e).param("gru_hidden", (int) h).param("layers", layers).param("gru_bias", false);
        maxLen(m, cfg);
        m.note("RecBole GRU4Rec: bias-free GRU of size " + h + " over embeddings of " + e + ", dense back to " + e);
        return m;
    }

    private static Mapped sasrec(Checkpoint ck, Map<?, ?> cfg) {
        Tensor items = ck.take("item_embedding.weight");
        long d = items.shape()[1];
        Tensor pos = ck.take("position_embedding.weight");
        long len = pos.shape()[0];
        int layers = 0;
        while (ck.has("trm_encoder.layer." + layers + ".multi_head_attention.query.weight")) {
            layers++;
        }
        long inner = ck.take("trm_encoder.layer.0.feed_forward.dense_1.weight").shape()[0];
        Mapped m = new Mapped("sasrec");
        sasrecNames(layers).mapInto(ck, m);
        ck.checkAllUsed("RecBole's SASRec");
        if (cfg != null) {
            Object act = cfg.get("hidden_act");
            if (act != null && !"gelu".equals(act)) {
                throw refuse("SASRec", "its hidden_act is " + act + "; seqrec's post-LN blocks use GELU (RecBole's default)");
            }
            Object eps = cfg.get("layer_norm_eps");
            if (eps instanceof Number n && n.doubleValue() != 1e-12) {
                throw refuse("SASRec", "its layer_norm_eps is " + eps + "; seqrec's LayerNorm uses 1e-12 (RecBole's default)");
            }
        }
        Integer heads = intOf(cfg, "n_heads");
        if (heads != null) {
            m.param("heads", heads);
        } else {
            m.requires("heads", "RecBole's n_heads: the weights do not show how D is split into heads");
        }
        m.param("hidden", (int) d).param("layers", layers).param("max_len", (int) len).param("inner", (int) inner).param("block", "post-ln");
        m.note("RecBole SASRec: post-LN blocks, inner size " + inner + ", positions from the oldest item, GELU (erf), LayerNorm eps 1e-12");
        return m;
    }
}
