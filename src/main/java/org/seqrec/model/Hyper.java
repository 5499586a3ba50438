package org.seqrec.model;

import java.util.Map;

/** Hyper-parameters shared by the embedding-plus-blocks models, read from a run's params. */
public record Hyper(int hidden, int layers, int maxLen, float dropout, float attnDropout) {
    public static Hyper from(Map<String, Object> params) {
        return new Hyper(intOf(params, "hidden", 64), intOf(params, "layers", 2), intOf(params, "max_len", 50),
                floatOf(params, "dropout", 0.5f), floatOf(params, "attn_dropout", 0.5f));
    }

    static int intOf(Map<String, Object> params, String key, int dflt) {
        Object v = params.get(key);
        return v == null ? dflt : ((Number) v).intValue();
    }

    static float floatOf(Map<String, Object> params, String key, float dflt) {
        Object v = params.get(key);
        return v == null ? dflt : ((Number) v).floatValue();
    }
}
