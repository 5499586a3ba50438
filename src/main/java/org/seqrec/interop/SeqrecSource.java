package org.seqrec.interop;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * seqrec's own names, in a safetensors file written by {@code seqrec export} (its metadata names the model,
 * its params and its item-indexed weights): a round trip export -> import gives the same weights, so the
 * same scores.
 */
final class SeqrecSource implements Source {
    static final String FORMAT = "seqrec.format";
    static final String MODEL = "seqrec.model";
    static final String PARAMS = "seqrec.params";
    static final String ITEM_TABLES = "seqrec.item_tables";
    static final String ITEM_IDS = "seqrec.item_ids";
    static final String CONVENTION = "seqrec.convention";

    @Override
    public String name() {
        return "seqrec";
    }

    @Override
    public String description() {
        return "a safetensors file written by seqrec export (seqrec's names)";
    }

    @Override
    public Mapped map(Checkpoint ck, Map<String, String> options) {
        Map<String, String> meta = ck.metadata();
        if (!"seqrec".equals(meta.get(CONVENTION)) || meta.get(MODEL) == null || meta.get(PARAMS) == null) {
            throw new SeqrecException("checkpoint " + ck.file() + " was not written by seqrec export in seqrec's convention (its"
                    + " metadata has no " + MODEL + " / " + PARAMS + (meta.containsKey(CONVENTION) ? "; convention "
                    + meta.get(CONVENTION) + ": import it --from " + meta.get(CONVENTION) : "") + ")");
        }
        Mapped m = new Mapped(meta.get(MODEL));
        parseObject(ck, PARAMS, meta.get(PARAMS)).forEach(m::param);
        List<String> tables = parseList(ck, ITEM_TABLES, meta.getOrDefault(ITEM_TABLES, "[]"));
        for (String name : ck.tensors().keySet()) {
            Tensor t = ck.take(name);
            if (tables.contains(name)) {
                m.itemTable(name, name, t);
            } else {
                m.weight(name, name, t);
            }
        }
        m.note("exported by seqrec " + meta.getOrDefault("seqrec.version", "?") + " from run " + meta.getOrDefault("seqrec.run", "?"));
        return m;
    }

    static Map<String, Object> parseObject(Checkpoint ck, String key, String json) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new SeqrecException("checkpoint " + ck.file() + ": metadata " + key + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    static List<String> parseList(Checkpoint ck, String key, String json) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new SeqrecException("checkpoint " + ck.file() + ": metadata " + key + " is not a JSON list of strings: " + e.getMessage(), e);
        }
    }
}
