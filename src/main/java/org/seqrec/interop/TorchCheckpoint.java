package org.seqrec.interop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import org.seqrec.util.SeqrecException;

/**
 * Reads a file written by PyTorch's {@code torch.save} (the zip format of PyTorch 1.6 and later) without
 * running Python: {@code NAME/data.pkl}, a pickle whose tensors refer by persistent id to raw storages
 * {@code NAME/data/KEY} (little-endian unless {@code NAME/byteorder} says otherwise), read with Pyrolite's
 * unpickler, which builds plain Java objects and runs no code.
 *
 * <p>What comes back: Python dicts (also {@code OrderedDict}) as {@link Map}s in the file's order, lists as
 * {@link List}s, tuples as {@code Object[]}, numbers and strings as Java's, tensors and parameters as
 * {@link Tensor}s (contiguous copies of their views), and any other object (a training config, an enum, a
 * {@code torch.device}) as a {@link PyObject} with its class name, constructor arguments and state, never
 * instantiated. Damaged, truncated and legacy files are refused with the reason.
 */
public final class TorchCheckpoint {
    /** Any Python object other than containers, numbers, strings and tensors: what it was built from, inert. */
    public static final class PyObject {
        private final String type;
        private final Object[] args;
        private Object state;

        PyObject(String type, Object[] args) {
            this.type = type;
            this.args = args;
        }

        /** {@code module.Class}. */
        public String type() {
            return type;
        }

        public List<Object> args() {
            return List.of(args);
        }

        /** What {@code __setstate__} received (usually the object's {@code __dict__}), or null. */
        public Object state() {
            return state;
        }

        /** The state's entry {@code key} where the state is a dict, else null. */
        public Object attribute(String key) {
            return state instanceof Map<?, ?> m ? m.get(key) : null;
        }

        public void __setstate__(HashMap<?, ?> s) {
            state = s;
        }

        public void __setstate__(Object[] s) {
            state = s;
        }

        @Override
        public String toString() {
            return type + (args.length == 0 ? "" : List.of(args).toString());
        }
    }

    /** A dict in insertion order ({@code collections.OrderedDict}); its attributes (a state dict's {@code _metadata}) are dropped. */
    public static final class PyDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        public void __setstate__(HashMap<?, ?> s) {
            // an OrderedDict's attributes, e.g. a state dict's _metadata (per-module versions): not needed
        }

        public void __setstate__(Object[] s) {
            // as above
        }
    }

    /** A storage's element type, from {@code torch.FloatStorage} and its siblings. */
    record StorageType(String dtype, int bytes) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch storage type " + dtype + " cannot be called");
        }
    }

    /** One storage: its element type and where its bytes are. */
    record Storage(StorageType type, String key, long numel) {}

    private static final Map<String, StorageType> STORAGES = new LinkedHashMap<>();

    static {
        storage("FloatStorage", "float32", 4);
        storage("DoubleStorage", "float64", 8);
        storage("HalfStorage", "float16", 2);
        storage("BFloat16Storage", "bfloat16", 2);
        storage("LongStorage", "int64", 8);
        storage("IntStorage", "int32", 4);
        storage("ShortStorage", "int16", 2);
        storage("CharStorage", "int8", 1);
        storage("ByteStorage", "uint8", 1);
        storage("BoolStorage", "bool", 1);
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new PyDict());
        Unpickler.registerConstructor("torch", "device", args -> args.length == 0 ? "cpu" : String.valueOf(args[0]));
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", TorchCheckpoint::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", TorchCheckpoint::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter_with_state", args -> args[0]);
    }

    private static void storage(String name, String dtype, int bytes) {
        StorageType t = new StorageType(dtype, bytes);
        STORAGES.put(name, t);
        Unpickler.registerConstructor("torch", name, t);
    }

    private TorchCheckpoint() {}

    /**
     * The object saved in {@code file}.
     *
     * @throws SeqrecException when the file is missing, not a PyTorch zip checkpoint (a legacy pre-1.6 file
     *     says so), truncated or damaged
     */
    public static Object read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SeqrecException("checkpoint " + file + " does not exist");
        }
        checkZip(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefix(zip, file);
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            if (bo != null) {
                try (InputStream in = zip.getInputStream(bo)) {
                    String s = new String(in.readNBytes(16), java.nio.charset.StandardCharsets.US_ASCII).trim();
                    order = s.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                }
            }
            Reader reader = new Reader(zip, prefix, order, file);
            byte[] pickle = entry(zip, zip.getEntry(prefix + "data.pkl"), file);
            return reader.resolve(reader.loads(pickle));
        } catch (ZipException e) {
            throw new SeqrecException("checkpoint " + file + " is truncated or damaged: " + e.getMessage(), e);
        } catch (PickleException | IOException | ClassCastException | ArrayIndexOutOfBoundsException | IllegalArgumentException
                | ArithmeticException e) {
            throw new SeqrecException("checkpoint " + file + " is truncated or damaged: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw new SeqrecException("checkpoint " + file + " nests its objects too deeply to read");
        }
    }

    /** The tensors of a state dict saved in {@code file} ({@code torch.save(model.state_dict(), f)}), by name in the file's order. */
    public static Map<String, Tensor> readStateDict(Path file) {
        return stateDict(read(file), file + "");
    }

    /** {@code o} as a state dict (a dict of names to tensors), else a clear error naming {@code what}. */
    public static Map<String, Tensor> stateDict(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new SeqrecException(what + " is not a state dict (a dict of tensors): it holds " + describe(o));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof Tensor t)) {
                throw new SeqrecException(what + " is not a state dict: its entry '" + e.getKey() + "' is " + describe(e.getValue()));
            }
            out.put(String.valueOf(e.getKey()), t);
        }
        return Collections.unmodifiableMap(out);
    }

    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Map<?, ?> m) {
            return "a dict with keys " + m.keySet();
        }
        if (o instanceof PyObject p) {
            return "an object of class " + p.type();
        }
        return "a " + o.getClass().getSimpleName();
    }

    private static void checkZip(Path file) {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 4);
            if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] <= 5) {
                throw new SeqrecException("checkpoint " + file + " is in PyTorch's legacy format (before 1.6, or saved with"
                        + " _use_new_zipfile_serialization=False): load it in Python and save it again with torch.save(obj, f)");
            }
            if (n < 4 || head[0] != 'P' || head[1] != 'K') {
                throw new SeqrecException("checkpoint " + file + " is not a PyTorch checkpoint (torch.save writes a zip file; this"
                        + " one starts with " + String.format("%02x %02x", head[0], head[1]) + ")");
            }
        } catch (IOException e) {
            throw new SeqrecException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** The archive's one top folder ({@code archive/} or the file's stem), from its {@code data.pkl}. */
    private static String prefix(ZipFile zip, Path file) {
        List<String> pickles = new ArrayList<>();
        zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith("data.pkl") && n.indexOf('/') == n.lastIndexOf('/'))
                .forEach(pickles::add);
        if (pickles.size() != 1) {
            throw new SeqrecException("checkpoint " + file + " is not a PyTorch checkpoint: it has " + pickles.size()
                    + " top-level data.pkl entries, torch.save writes one");
        }
        String p = pickles.get(0);
        return p.substring(0, p.length() - "data.pkl".length());
    }

    /** All bytes of an entry, refused when they do not match the CRC-32 the zip recorded (a flipped bit, a damaged copy). */
    private static byte[] entry(ZipFile zip, ZipEntry e, Path file) throws IOException {
        long size = e.getSize();
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new SeqrecException("checkpoint " + file + ": entry " + e.getName() + (size < 0 ? " does not declare its size"
                    : " is over 2 GiB"));
        }
        byte[] data;
        try (InputStream in = zip.getInputStream(e)) {
            data = in.readNBytes((int) size + 1); // never more than declared: a compressed entry cannot inflate past it
        }
        if (data.length != size) {
            throw new SeqrecException("checkpoint " + file + " is damaged: entry " + e.getName() + " holds " + (data.length > size ? "more"
                    : "fewer") + " bytes than the " + size + " it declares");
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw new SeqrecException("checkpoint " + file + " is damaged: entry " + e.getName() + " does not match its CRC-32");
        }
        return data;
    }

    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof Storage s)) {
            throw new PickleException("unexpected arguments to _rebuild_tensor: " + List.of(args));
        }
        long[] shape = longs(args[2]);
        long[] stride = longs(args[3]);
        if (shape.length != stride.length || java.util.Arrays.stream(shape).anyMatch(x -> x < 0)
                || java.util.Arrays.stream(stride).anyMatch(x -> x < 0)) {
            throw new PickleException("a tensor with shape " + java.util.Arrays.toString(shape) + " and strides "
                    + java.util.Arrays.toString(stride));
        }
        return new PendingTensor(s, ((Number) args[1]).longValue(), shape, stride);
    }

    private static long[] longs(Object tuple) {
        Object[] a = (Object[]) tuple;
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = ((Number) a[i]).longValue();
        }
        return out;
    }

    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // infinity, NaN
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // zero, subnormal
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** A tensor whose storage bytes are read once the pickle is loaded. */
    record PendingTensor(Storage storage, long offset, long[] shape, long[] stride) {}

    /** Pyrolite's unpickler with persistent ids resolved to storages, and unknown classes kept inert. */
    private static final class Reader extends Unpickler {
        private static final short GLOBAL = 'c';
        private static final short STACK_GLOBAL = 0x93;
        private static final short SETITEMS = 'u';
        private final ZipFile zip;
        private final String prefix;
        private final ByteOrder order;
        private final Path file;
        private final Map<String, ByteBuffer> storages = new HashMap<>();

        Reader(ZipFile zip, String prefix, ByteOrder order, Path file) {
            this.zip = zip;
            this.prefix = prefix;
            this.order = order;
            this.file = file;
        }

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            if (key == GLOBAL) {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(constructor(module, name));
                return NO_RETURN_VALUE;
            }
            if (key == STACK_GLOBAL) {
                String name = (String) stack.pop();
                String module = (String) stack.pop();
                stack.add(constructor(module, name));
                return NO_RETURN_VALUE;
            }
            if (key == SETITEMS) { // in order: Pyrolite gathers the pairs in a HashMap first, which loses a state dict's order
                List<Object> items = stack.pop_all_since_marker();
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(items.get(i), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            return super.dispatch(key);
        }

        private static IObjectConstructor constructor(String module, String name) {
            IObjectConstructor c = objectConstructors.get(module + "." + name);
            if (c != null) {
                return c;
            }
            if (module.equals("torch") && name.endsWith("Storage")) {
                throw new PickleException("unsupported storage type torch." + name);
            }
            String type = module + "." + name;
            return args -> new PyObject(type, args);
        }

        @Override
        protected Object persistentLoad(Object pid) {
            Object[] t = (Object[]) pid;
            if (t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType type)) {
                throw new PickleException("unexpected persistent id " + List.of(t));
            }
            return new Storage(type, String.valueOf(t[2]), ((Number) t[4]).longValue());
        }

        /** {@code o} with every pending tensor read from its storage. */
        Object resolve(Object o) throws IOException {
            if (o instanceof PendingTensor p) {
                return tensor(p);
            }
            if (o instanceof PyDict d) {
                PyDict out = new PyDict();
                for (Map.Entry<Object, Object> e : d.entrySet()) {
                    out.put(e.getKey(), resolve(e.getValue()));
                }
                return out;
            }
            if (o instanceof Map<?, ?> m) {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.put(e.getKey(), resolve(e.getValue()));
                }
                return out;
            }
            if (o instanceof List<?> l) {
                List<Object> out = new ArrayList<>();
                for (Object x : l) {
                    out.add(resolve(x));
                }
                return out;
            }
            if (o instanceof Object[] a) {
                Object[] out = new Object[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = resolve(a[i]);
                }
                return out;
            }
            if (o instanceof PyObject p) {
                PyObject out = new PyObject(p.type, (Object[]) resolve(p.args));
                out.state = resolve(p.state);
                return out;
            }
            return o;
        }

        private ByteBuffer bytes(Storage s) throws IOException {
            ByteBuffer b = storages.get(s.key());
            if (b == null) {
                ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
                if (e == null) {
                    throw new SeqrecException("checkpoint " + file + " is damaged: storage " + s.key() + " is missing");
                }
                long need = s.numel() * s.type().bytes();
                if (need > Integer.MAX_VALUE) {
                    throw new SeqrecException("checkpoint " + file + ": storage " + s.key() + " is over 2 GiB");
                }
                byte[] data = entry(zip, e, file);
                if (data.length < need) {
                    throw new SeqrecException("checkpoint " + file + " is truncated: storage " + s.key() + " has " + data.length
                            + " bytes, " + need + " expected");
                }
                b = ByteBuffer.wrap(data).order(order);
                storages.put(s.key(), b);
            }
            return b;
        }

        private Tensor tensor(PendingTensor p) throws IOException {
            ByteBuffer b = bytes(p.storage());
            StorageType type = p.storage().type();
            int rank = p.shape().length;
            long n = Tensor.numel(p.shape());
            if (n > Integer.MAX_VALUE || n > Math.max(p.storage().numel(), 1L << 24)) { // a view repeating a small storage (stride 0)
                throw new SeqrecException("checkpoint " + file + ": a tensor of " + n + " elements over a storage of " + p.storage().numel()
                        + " is too large to read");
            }
            // the largest element index the view reads must lie in its storage
            long last = p.offset();
            for (int i = 0; i < rank; i++) {
                if (p.shape()[i] == 0) {
                    last = -1;
                    break;
                }
                last += (p.shape()[i] - 1) * p.stride()[i];
            }
            if (p.offset() < 0 || last >= p.storage().numel()) {
                throw new SeqrecException("checkpoint " + file + " is damaged: a tensor of shape " + java.util.Arrays.toString(p.shape())
                        + " reads past its storage " + p.storage().key());
            }
            boolean floating = type.dtype().startsWith("float") || type.dtype().equals("bfloat16");
            float[] f = floating ? new float[(int) n] : null;
            long[] l = floating ? null : new long[(int) n];
            long[] idx = new long[rank];
            for (int i = 0; i < n; i++) {
                long at = p.offset();
                for (int d = 0; d < rank; d++) {
                    at += idx[d] * p.stride()[d];
                }
                int pos = (int) (at * type.bytes());
                if (floating) {
                    f[i] = switch (type.dtype()) {
                        case "float32" -> b.getFloat(pos);
                        case "float64" -> (float) b.getDouble(pos);
                        case "float16" -> halfToFloat(b.getShort(pos));
                        default -> Float.intBitsToFloat((b.getShort(pos) & 0xffff) << 16); // bfloat16
                    };
                } else {
                    l[i] = switch (type.dtype()) {
                        case "int64" -> b.getLong(pos);
                        case "int32" -> b.getInt(pos);
                        case "int16" -> b.getShort(pos);
                        case "int8" -> b.get(pos);
                        default -> b.get(pos) & 0xff; // uint8, bool
                    };
                }
                for (int d = rank - 1; d >= 0; d--) { // the next index in row-major order
                    if (++idx[d] < p.shape()[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
            return new Tensor(type.dtype().toLowerCase(Locale.ROOT), p.shape().clone(), f, l);
        }
    }
}
