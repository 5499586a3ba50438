package org.seqrec.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.IdMap;
import org.seqrec.eval.Protocol;
import org.seqrec.model.ModelSpec;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.nn.Params;
import org.seqrec.run.RunConfig;
import org.seqrec.run.RunDir;
import org.seqrec.run.RunParams;
import org.seqrec.run.Runs;
import org.seqrec.run.Versions;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code seqrec import}: a checkpoint of another code base (or of {@code seqrec export}) into a normal run
 * directory, exactly or not at all; and {@code seqrec export}: a run's weights as safetensors in a chosen
 * convention with a JSON config.
 */
public final class Interop {
    private static final Logger LOG = LoggerFactory.getLogger(Interop.class);

    /**
     * What to import.
     *
     * @param options the source's options ({@code padding} for the ConvFormer authors' CONV)
     * @param itemMap TSV of (the data's item id, the checkpoint's item index), or null: the metadata's item
     *     ids (a seqrec export), else the data's item ids read as the indices (the authors' data files)
     * @param params further model params (e.g. length groups); those the checkpoint determines cannot be changed
     */
    public record Request(String source, Path checkpoint, DataSource data, Path out, boolean overwrite, Map<String, String> options,
            Path itemMap, Map<String, Object> params, Protocol protocol, boolean keepHistories) {}

    private Interop() {}

    /** Reads {@code file}: safetensors by its name, else a PyTorch checkpoint (a state dict, or a dict holding one under {@code state_dict}). */
    public static Checkpoint read(Path file) {
        if (Safetensors.isSafetensors(file)) {
            Safetensors.Content c = Safetensors.read(file);
            return new Checkpoint(file, c.tensors(), c.metadata());
        }
        Object o = TorchCheckpoint.read(file);
        if (o instanceof Map<?, ?> m && m.containsKey("state_dict")) { // RecBole and many training loops: {'state_dict': ..., 'config': ...}
            Map<String, Object> extras = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!"state_dict".equals(k)) {
                    extras.put(String.valueOf(k), v);
                }
            });
            return new Checkpoint(file, TorchCheckpoint.stateDict(m.get("state_dict"), file + "'s state_dict"), Map.of(), extras);
        }
        return new Checkpoint(file, TorchCheckpoint.stateDict(o, "checkpoint " + file), Map.of());
    }

    /** Imports a checkpoint into a new run directory; returns it. Everything is checked before the directory is written. */
    public static RunDir importRun(Request r) {
        Source source = Source.of(r.source());
        Runs.checkCanCreate(r.out(), r.overwrite());
        for (String k : r.options().keySet()) {
            if (!source.options().contains(k)) {
                throw new SeqrecException("--" + k + " is not an option of source " + source.name()
                        + (source.options().isEmpty() ? "" : " (it takes " + source.options() + ")"));
            }
        }
        Checkpoint ck = read(r.checkpoint());
        Mapped mapped = source.map(ck, r.options());
        ModelSpec spec = ModelRegistry.get(mapped.model());
        if (!(spec instanceof NeuralSpec neural)) {
            throw new SeqrecException(mapped.model() + " has no weights to import");
        }
        for (Map.Entry<String, String> need : mapped.required().entrySet()) {
            if (!mapped.params().containsKey(need.getKey()) && !r.params().containsKey(need.getKey())) {
                throw new SeqrecException("the checkpoint does not say its " + need.getKey() + " (" + need.getValue() + "): give --param "
                        + need.getKey() + "=VALUE");
            }
        }
        Map<String, Object> explicit = new LinkedHashMap<>(mapped.params());
        r.params().forEach((k, v) -> {
            Object fixed = mapped.params().get(k);
            if (fixed != null && !String.valueOf(fixed).equals(String.valueOf(v))) {
                throw new SeqrecException("--param " + k + "=" + v + " contradicts the checkpoint, whose " + k + " is " + fixed);
            }
            explicit.put(k, v);
        });
        Map<String, Object> params = RunParams.checkParams(mapped.model(), explicit);
        Dataset data = r.data().load();
        int n = data.numItems();
        try (NDManager manager = NDManager.newBaseManager()) {
            NeuralSeqModel model = neural.build(manager, n, params);
            Map<String, float[]> values = values(mapped, model, ck, rowsOf(r, ck, data, mapped, model));
            try (NDManager tmp = manager.newSubManager()) {
                Map<String, NDArray> all = model.params().all();
                values.forEach((name, v) -> Params.write(all.get(name), v, tmp));
            }
            RunConfig config = new RunConfig(mapped.model(), params, r.data(), 0, r.protocol().key(), Instant.now().toString(),
                    Versions.all());
            ObjectNode provenance = provenance(r, source, mapped);
            RunDir run = Runs.create(config, data, r.out(), r.overwrite(), r.keepHistories(), dir -> {
                model.save(dir.model());
                Json.write(dir.provenance(), provenance);
            });
            LOG.info("imported {} ({} weights, {} values) from {} into {}", mapped.model(), values.size(),
                    values.values().stream().mapToLong(v -> v.length).sum(), r.checkpoint(), r.out());
            return run;
        }
    }

    /**
     * For each item index {@code j = 1..n} of the data, the checkpoint's row: by the item map file, the
     * checkpoint's item ids, or the data's item id read as the index; the checkpoint's item count must equal the data's.
     */
    private static int[] rowsOf(Request r, Checkpoint ck, Dataset data, Mapped mapped, NeuralSeqModel model) {
        int n = data.numItems();
        if (mapped.itemTables().isEmpty()) {
            throw new SeqrecException("source " + r.source() + " named no item table");
        }
        String table = mapped.itemTables().get(0);
        long modelRows = model.params().all().get(table).getShape().get(0);
        long extra = modelRows - (n + 1L); // rows after the items (a mask token)
        long ckItems = mapped.weights().get(table).shape()[0] - 1 - extra;
        if (ckItems != n) {
            throw new SeqrecException("checkpoint " + ck.file() + " has " + ckItems + " items (its " + mapped.sourceKeys().get(table)
                    + " has " + mapped.weights().get(table).shape()[0] + " rows), the data " + r.data().path() + " has " + n
                    + ": it was trained on other data (or another k-core)");
        }
        Map<String, Integer> index = new HashMap<>();
        String how;
        if (r.itemMap() != null) {
            how = "item map " + r.itemMap();
            try {
                for (String line : Files.readAllLines(r.itemMap())) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] f = line.split("\t");
                    if (f.length != 2) {
                        throw new SeqrecException("item map " + r.itemMap() + ": line '" + line + "' is not 'item id<TAB>index'");
                    }
                    try {
                        index.put(f[0], Integer.parseInt(f[1].trim()));
                    } catch (NumberFormatException e) {
                        throw new SeqrecException("item map " + r.itemMap() + ": index '" + f[1] + "' is not an integer");
                    }
                }
            } catch (IOException e) {
                throw new SeqrecException("cannot read item map " + r.itemMap() + ": " + e.getMessage(), e);
            }
        } else if (ck.metadata().containsKey(SeqrecSource.ITEM_IDS)) {
            how = "the checkpoint's item ids";
            List<String> ids = SeqrecSource.parseList(ck, SeqrecSource.ITEM_IDS, ck.metadata().get(SeqrecSource.ITEM_IDS));
            for (int i = 0; i < ids.size(); i++) {
                index.put(ids.get(i), i + 1);
            }
        } else {
            how = "the data's item ids as indices";
            for (int j = 1; j <= n; j++) {
                String id = data.itemMap().original(j);
                try {
                    index.put(id, Integer.parseInt(id));
                } catch (NumberFormatException e) {
                    throw new SeqrecException("item '" + id + "' of the data is not a number, so it cannot be the checkpoint's index: give"
                            + " --item-map (item id<TAB>index, as the checkpoint's code numbered them)");
                }
            }
        }
        int[] rows = new int[n + 1];
        boolean[] taken = new boolean[n + 1];
        for (int j = 1; j <= n; j++) {
            String id = data.itemMap().original(j);
            Integer row = index.get(id);
            if (row == null) {
                throw new SeqrecException("item '" + id + "' of the data has no index in " + how);
            }
            if (row < 1 || row > n || taken[row]) {
                throw new SeqrecException("item '" + id + "' maps to index " + row + " in " + how + ", which is "
                        + (row < 1 || row > n ? "outside 1.." + n : "taken by another item"));
            }
            taken[row] = true;
            rows[j] = row;
        }
        LOG.info("item rows: {}", how);
        return rows;
    }

    /** Every weight of {@code model} from the mapping: names and shapes exactly the model's, item tables reordered, values finite. */
    private static Map<String, float[]> values(Mapped mapped, NeuralSeqModel model, Checkpoint ck, int[] rows) {
        Map<String, NDArray> all = model.params().all();
        Set<String> missing = new LinkedHashSet<>(all.keySet());
        missing.removeAll(mapped.weights().keySet());
        if (!missing.isEmpty()) {
            throw new SeqrecException("checkpoint " + ck.file() + " gives no value for " + missing + " of " + mapped.model());
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : mapped.weights().entrySet()) {
            NDArray target = all.get(e.getKey());
            String from = mapped.sourceKeys().get(e.getKey());
            if (target == null) {
                throw new SeqrecException("checkpoint " + ck.file() + ": " + from + " maps to " + e.getKey() + ", which " + mapped.model()
                        + " with these params does not have");
            }
            long[] want = target.getShape().getShape();
            if (!java.util.Arrays.equals(want, e.getValue().shape())) {
                throw new SeqrecException("checkpoint " + ck.file() + ": " + from + " has shape " + e.getValue().shapeText() + ", "
                        + mapped.model() + "'s " + e.getKey() + " is " + java.util.Arrays.toString(want));
            }
            float[] v = e.getValue().floats();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new SeqrecException("checkpoint " + ck.file() + ": " + from + " holds a non-finite value (" + v[i] + ") at " + i);
                }
            }
            if (mapped.itemTables().contains(e.getKey())) {
                v = reorder(v, want, rows);
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** Row {@code j} of the result is row {@code rows[j]} of {@code v} for the items; row 0 and rows after n stay. */
    static float[] reorder(float[] v, long[] shape, int[] rows) {
        int width = 1;
        for (int i = 1; i < shape.length; i++) {
            width *= (int) shape[i];
        }
        float[] out = v.clone();
        for (int j = 1; j < rows.length; j++) {
            System.arraycopy(v, rows[j] * width, out, j * width, width);
        }
        return out;
    }

    private static ObjectNode provenance(Request r, Source source, Mapped mapped) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("source", source.name());
        p.put("checkpoint", r.checkpoint().toAbsolutePath().normalize().toString());
        p.put("sha256", sha256(r.checkpoint()));
        try {
            p.put("bytes", Files.size(r.checkpoint()));
        } catch (IOException e) {
            throw new SeqrecException("cannot read " + r.checkpoint() + ": " + e.getMessage(), e);
        }
        p.put("model", mapped.model());
        p.set("options", Json.MAPPER.valueToTree(r.options()));
        p.put("imported", Instant.now().toString());
        p.put("seqrec", Versions.seqrec());
        var keys = p.putObject("weights");
        mapped.sourceKeys().forEach(keys::put);
        var notes = p.putArray("notes");
        mapped.notes().forEach(notes::add);
        return p;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0;) {
                md.update(buf, 0, k);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new SeqrecException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the run's weights to {@code out} (safetensors) in {@code convention} ({@code seqrec} or a
     * source's), with the model, params, item-indexed weights and item ids as metadata, and the same as a
     * JSON config beside it ({@code out} with {@code .json}); returns the config file.
     */
    public static Path export(Path runDir, String convention, Path out) {
        RunDir run = RunDir.existing(runDir);
        RunConfig config = Json.read(run.config(), RunConfig.class);
        ModelSpec spec = ModelRegistry.get(config.model());
        if (!(spec instanceof NeuralSpec neural)) {
            throw new SeqrecException(config.model() + " has no weights to export");
        }
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw new SeqrecException("--out must name a .safetensors file, got " + out);
        }
        IdMap items = IdMap.read(run.itemMap());
        Map<String, Tensor> weights = new LinkedHashMap<>();
        List<String> tables;
        try (NDManager manager = NDManager.newBaseManager()) {
            NeuralSeqModel model = neural.build(manager, items.size(), config.params());
            model.load(run.model());
            for (Map.Entry<String, NDArray> e : model.params().all().entrySet()) {
                weights.put(e.getKey(), Tensor.of(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
            }
            tables = model.itemIndexedWeights();
        }
        Map<String, Tensor> named = convention.equals("seqrec") ? weights : Source.of(convention).export(config.model(), config.params(),
                weights);
        List<String> ids = new ArrayList<>();
        for (int j = 1; j <= items.size(); j++) {
            ids.add(items.original(j));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(SeqrecSource.CONVENTION, convention);
        meta.put(SeqrecSource.MODEL, config.model());
        meta.put(SeqrecSource.PARAMS, Json.compact(config.params()));
        meta.put(SeqrecSource.ITEM_TABLES, Json.compact(convention.equals("seqrec") ? tables : List.of()));
        meta.put(SeqrecSource.ITEM_IDS, Json.compact(ids));
        meta.put("seqrec.version", Versions.seqrec());
        meta.put("seqrec.run", runDir.toAbsolutePath().normalize().toString());
        Safetensors.write(out, named, meta);
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("format", "safetensors");
        json.put("convention", convention);
        json.put("model", config.model());
        json.set("params", Json.MAPPER.valueToTree(config.params()));
        json.put("items", items.size());
        var shapes = json.putObject("tensors");
        named.forEach((k, t) -> {
            var a = shapes.putArray(k);
            for (long s : t.shape()) {
                a.add(s);
            }
        });
        json.set("item_ids", Json.MAPPER.valueToTree(ids));
        json.put("note", "row i (1-based) of the item tables is item_ids[i-1]; row 0 is padding. Python: from safetensors.torch import"
                + " load_file; state = load_file('" + out.getFileName() + "')");
        Path cfg = out.resolveSibling(out.getFileName().toString().replaceAll("\\.safetensors$", ".json"));
        Json.write(cfg, json);
        return cfg;
    }
}
