package org.seqrec.model;

import java.util.Map;

/** Hyper-parameters shared by the embedding-plus-blocks models, read from a run's params. */
public record Hyper(int hidden, int layers, int maxLen, float dropout, float attnDropout) {
    public static Hyper from(Map<String, Object> params) {
        return new Hyper(intOf(params, "hidden", 64), intOf(params, "layers", 2), intOf(params, "max_len", 50),
                floatOf(params, "dropout", 0.5f), floatOf(params, "attn_dropout", 0.5f));
    }

    /** Defaults of the embedding-plus-blocks models (Table C3); the trainer's are added by the trainer. */
    public static Map<String, Object> defaults() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("hidden", 64);
        m.put("layers", 2);
        m.put("max_len", 50);
        m.put("dropout", 0.5);
        return m;
    }

    public static int intOf(Map<String, Object> params, String key, int dflt) {
        Object v = params.get(key);
        return v == null ? dflt : ((Number) v).intValue();
    }

    /** {@code true}/{@code false} (or 1/0, any case) from a run's params; a typo is an error, not false. */
    public static boolean boolOf(Map<String, Object> params, String key, boolean dflt) {
        Object v = params.getOrDefault(key, dflt);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v);
        if (s.equalsIgnoreCase("true") || s.equals("1")) {
            return true;
        }
        if (s.equalsIgnoreCase("false") || s.equals("0")) {
            return false;
        }
        throw new org.seqrec.util.SeqrecException(key + " must be true or false, got '" + v + "'");
    }

    public static float floatOf(Map<String, Object> params, String key, float dflt) {
        Object v = params.get(key);
        return v == null ? dflt : ((Number) v).floatValue();
    }
}
