package org.seqrec.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range (plus string metadata under {@code __metadata__}), then the raw
 * little-endian data. What Python reads with {@code safetensors.torch.load_file}; no code runs on reading.
 * Written: float32 tensors in the given order; read: F32, F64, F16, BF16 (as float32) and I64, I32 (as longs).
 */
public final class Safetensors {
    /** What a file holds: its tensors by name in file order, and its metadata. */
    public record Content(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** Writes {@code tensors} (float32 or int64) with {@code metadata} to {@code file}, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = t.numel() * (t.isFloating() ? 4 : 8);
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.isFloating() ? "F32" : "I64");
            var shape = n.putArray("shape");
            for (long s : t.shape()) {
                shape.add(s);
            }
            n.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new SeqrecException("cannot encode safetensors header: " + e.getMessage(), e);
        }
        int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned; the header is padded with spaces
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (Tensor t : tensors.values()) {
                writeData(out, t);
            }
        });
    }

    private static void writeData(OutputStream out, Tensor t) throws IOException {
        int n = (int) t.numel();
        ByteBuffer b = ByteBuffer.allocate(Math.min(n, 1 << 16) * (t.isFloating() ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (t.isFloating()) {
                b.putFloat(t.floats()[i]);
            } else {
                b.putLong(t.longs()[i]);
            }
            if (!b.hasRemaining()) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
        }
        out.write(b.array(), 0, b.position());
    }

    /** Reads {@code file}; a truncated, damaged or foreign file is refused with the reason. */
    public static Content read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SeqrecException("safetensors file " + file + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            byte[] lenBytes = in.readNBytes(8);
            if (lenBytes.length < 8) {
                throw damaged(file, "it is shorter than its 8-byte header length");
            }
            long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen <= 1 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw damaged(file, "its header length " + headerLen + " does not fit its " + size + " bytes");
            }
            byte[] headerBytes = in.readNBytes((int) headerLen);
            JsonNode header;
            try {
                header = Json.MAPPER.readTree(new String(headerBytes, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw damaged(file, "its header is not JSON (" + e.getMessage() + ")");
            }
            if (header == null || !header.isObject()) {
                throw damaged(file, "its header is not a JSON object");
            }
            long dataLen = size - 8 - headerLen;
            if (dataLen > Integer.MAX_VALUE) {
                throw new SeqrecException("safetensors file " + file + " holds over 2 GiB of data: not supported");
            }
            ByteBuffer data = ByteBuffer.wrap(in.readNBytes((int) dataLen)).order(ByteOrder.LITTLE_ENDIAN);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), data));
            }
            return new Content(tensors, metadata);
        } catch (IOException e) {
            throw new SeqrecException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Tensor tensor(Path file, String name, JsonNode n, ByteBuffer data) {
        String dtype = n.path("dtype").asText();
        JsonNode shapeNode = n.path("shape");
        JsonNode offsets = n.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw damaged(file, "tensor '" + name + "' has no shape or data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw damaged(file, "tensor '" + name + "' has a negative or non-integer dimension");
            }
        }
        int width = switch (dtype) {
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16" -> 2;
            default -> throw new SeqrecException("safetensors file " + file + ": tensor '" + name + "' has dtype " + dtype
                    + "; seqrec reads F32, F64, F16, BF16, I64 and I32");
        };
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        long n0 = Tensor.numel(shape);
        if (begin < 0 || end > data.capacity() || end - begin != n0 * width) {
            throw damaged(file, "tensor '" + name + "' claims bytes " + begin + ".." + end + " of " + data.capacity() + " for "
                    + n0 + " values of " + dtype + " (truncated?)");
        }
        int count = (int) n0;
        int at = (int) begin;
        if (dtype.startsWith("I")) {
            long[] l = new long[count];
            for (int i = 0; i < count; i++) {
                l[i] = width == 8 ? data.getLong(at + i * 8) : data.getInt(at + i * 4);
            }
            return new Tensor(dtype.equals("I64") ? "int64" : "int32", shape, null, l);
        }
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = switch (dtype) {
                case "F32" -> data.getFloat(at + i * 4);
                case "F64" -> (float) data.getDouble(at + i * 8);
                case "F16" -> TorchCheckpoint.halfToFloat(data.getShort(at + i * 2));
                default -> Float.intBitsToFloat((data.getShort(at + i * 2) & 0xffff) << 16);
            };
        }
        return new Tensor(dtype.equals("F32") ? "float32" : dtype.toLowerCase(java.util.Locale.ROOT), shape, f, null);
    }

    private static SeqrecException damaged(Path file, String why) {
        return new SeqrecException("safetensors file " + file + " is damaged or not a safetensors file: " + why);
    }

    /** Whether {@code file} looks like a safetensors file (by its name). */
    public static boolean isSafetensors(Path file) {
        return file.getFileName().toString().endsWith(".safetensors");
    }

}
