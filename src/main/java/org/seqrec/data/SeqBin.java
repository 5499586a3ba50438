package org.seqrec.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * The binary, sharded sequence format: a directory {@code NAME.seqbin/} holding {@code meta.json} and
 * {@code shard-00000.bin}, ... of at most {@code usersPerShard} users each, in user order; the id maps
 * lie beside the directory as for an FMLP file ({@code NAME.item_map.tsv}, {@code NAME.user_map.tsv}).
 * A shard (little-endian) is: the 8 bytes {@code SEQBIN01}; int32 users; int32 0; int64 interactions;
 * int64 offsets[users + 1] (from 0); int32 items[interactions]; then each user id as int32 byte length and
 * UTF-8 bytes. Readers map the shards into memory ({@link FileChannel#map}), so loading is a copy of the
 * item ids, not a parse of text. {@code data convert --out NAME.seqbin} and the Spark job
 * {@code prepare --out NAME.seqbin} write byte-identical directories for the same log.
 */
public final class SeqBin {
    public static final String EXTENSION = ".seqbin";
    public static final int DEFAULT_USERS_PER_SHARD = 1 << 20;
    static final byte[] MAGIC = "SEQBIN01".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 8 + 4 + 4 + 8;

    private SeqBin() {}

    public static boolean isSeqBin(Path path) {
        return path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(EXTENSION);
    }

    public static String shardName(int index) {
        return String.format("shard-%05d.bin", index);
    }

    /** Writes one shard: the users' ids and sequences, in order. */
    public static void writeShard(OutputStream out, List<String> userIds, List<int[]> sequences) throws IOException {
        long interactions = 0;
        long idBytes = 0;
        for (int[] s : sequences) {
            interactions += s.length;
        }
        for (String id : userIds) {
            idBytes += 4 + id.getBytes(StandardCharsets.UTF_8).length;
        }
        long bytes = HEADER + 8L * (userIds.size() + 1) + 4 * interactions + idBytes;
        if (bytes > Integer.MAX_VALUE) { // a reader maps a shard as one buffer
            throw new SeqrecException("a shard of " + userIds.size() + " users would take " + bytes + " bytes, over 2 GB: give a smaller --shard-users");
        }
        DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        d.write(MAGIC);
        d.write(b.clear().putInt(userIds.size()).putInt(0).array());
        d.write(b.clear().putLong(interactions).array());
        long offset = 0;
        d.write(b.clear().putLong(0).array());
        for (int[] s : sequences) {
            offset += s.length;
            d.write(b.clear().putLong(offset).array());
        }
        ByteBuffer items = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] s : sequences) {
            for (int item : s) {
                if (!items.hasRemaining()) {
                    d.write(items.array(), 0, items.position());
                    items.clear();
                }
                items.putInt(item);
            }
        }
        d.write(items.array(), 0, items.position());
        for (String id : userIds) {
            byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
            d.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
            d.write(utf8);
        }
        d.flush();
    }

    /** {@code meta.json}'s content: sizes and the shard names. */
    public static String meta(long users, int numItems, long interactions, int usersPerShard) {
        ObjectNode m = Json.object();
        m.put("format", "seqbin");
        m.put("version", 1);
        m.put("users", users);
        m.put("items", numItems);
        m.put("interactions", interactions);
        m.put("users_per_shard", usersPerShard);
        ArrayNode shards = m.putArray("shards");
        for (int i = 0; i < shards(users, usersPerShard); i++) {
            shards.add(shardName(i));
        }
        return Json.toString(m) + "\n";
    }

    /** How many shards {@code users} users take. */
    public static int shards(long users, int usersPerShard) {
        return (int) Math.max(1, (users + usersPerShard - 1) / usersPerShard);
    }

    /** Writes the dataset as {@code dir} (a {@code .seqbin} directory) and its id maps beside it. */
    public static void save(Dataset d, Path dir, int usersPerShard) {
        if (usersPerShard < 1) {
            throw new SeqrecException("users per shard must be positive, got " + usersPerShard);
        }
        try {
            Files.createDirectories(dir);
            try (var old = Files.list(dir)) { // a directory rewritten holds no shard of an earlier, larger dataset
                for (Path p : (Iterable<Path>) old::iterator) {
                    if (p.getFileName().toString().matches("shard-\\d+\\.bin")) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = d.numUsers();
        for (int s = 0; s < shards(n, usersPerShard); s++) {
            int from = s * usersPerShard;
            int to = (int) Math.min(n, (long) from + usersPerShard);
            List<String> ids = new ArrayList<>(to - from);
            List<int[]> seqs = new ArrayList<>(to - from);
            for (int u = from; u < to; u++) {
                ids.add(d.userId(u));
                seqs.add(d.sequence(u));
            }
            AtomicFiles.write(dir.resolve(shardName(s)), out -> writeShard(out, ids, seqs));
        }
        AtomicFiles.writeText(dir.resolve("meta.json"), w -> w.write(meta(n, d.numItems(), d.numInteractions(), usersPerShard)));
        d.itemMap().write(Dataset.itemMapPath(dir));
        if (d.userMap() != null) {
            d.userMap().write(Dataset.userMapPath(dir));
        }
    }

    /** Reads a {@code .seqbin} directory (and the id maps beside it), checking every size and id. */
    public static Dataset read(Path dir) {
        Path metaFile = dir.resolve("meta.json");
        JsonNode meta = meta(dir);
        long users = meta.path("users").asLong();
        int numItems = meta.path("items").asInt();
        long interactions = meta.path("interactions").asLong();
        if (users > Integer.MAX_VALUE - 8) {
            throw new SeqrecException(metaFile + ": " + users + " users do not fit one JVM's dataset");
        }
        List<String> ids = new ArrayList<>((int) users);
        List<int[]> seqs = new ArrayList<>((int) users);
        long total = 0;
        for (JsonNode shard : meta.path("shards")) {
            total += readShard(dir.resolve(shard.asText()), numItems, ids, seqs);
        }
        if (ids.size() != users || total != interactions) {
            throw new SeqrecException(dir + ": meta.json promises " + users + " users and " + interactions + " interactions, the shards hold "
                    + ids.size() + " and " + total);
        }
        return withMaps(dir, FmlpReader.datasetName(dir), ids, seqs, numItems);
    }

    /**
     * The users of shard {@code index} alone (0-based, as meta.json lists them), with the directory's id maps: what
     * one task of a job array reads ({@code seqrec score --shard}). Its name is the directory's with {@code #index}.
     */
    public static Dataset readShard(Path dir, int index) {
        JsonNode shards = meta(dir).path("shards");
        if (!shards.isArray() || shards.isEmpty()) {
            throw new SeqrecException(dir.resolve("meta.json") + ": no list of shards");
        }
        if (index < 0 || index >= shards.size()) {
            throw new SeqrecException(dir + " has " + shards.size() + " shard(s) (0.." + (shards.size() - 1) + "), not shard " + index);
        }
        int numItems = meta(dir).path("items").asInt();
        List<String> ids = new ArrayList<>();
        List<int[]> seqs = new ArrayList<>();
        readShard(dir.resolve(shards.get(index).asText()), numItems, ids, seqs);
        return withMaps(dir, FmlpReader.datasetName(dir) + "#" + index, ids, seqs, numItems);
    }

    private static JsonNode meta(Path dir) {
        Path metaFile = dir.resolve("meta.json");
        SeqrecException.requireReadable(metaFile, "seqbin metadata");
        JsonNode meta = Json.read(metaFile);
        if (!"seqbin".equals(meta.path("format").asText()) || meta.path("version").asInt() != 1) {
            throw new SeqrecException(metaFile + ": not a version-1 seqbin directory");
        }
        return meta;
    }

    private static Dataset withMaps(Path dir, String name, List<String> ids, List<int[]> seqs, int numItems) {
        IdMap itemMap = null;
        Path itemMapFile = Dataset.itemMapPath(dir);
        if (Files.isRegularFile(itemMapFile)) {
            itemMap = IdMap.read(itemMapFile);
            if (itemMap.size() != numItems) {
                throw new SeqrecException(itemMapFile + ": maps " + itemMap.size() + " items but " + dir + " has " + numItems);
            }
        }
        Path userMapFile = Dataset.userMapPath(dir);
        IdMap userMap = Files.isRegularFile(userMapFile) ? IdMap.read(userMapFile) : null;
        return new Dataset(name, ids, seqs, numItems, itemMap, userMap);
    }

    /** Reads one shard, appending its users to {@code ids} and {@code seqs}; returns its interactions. */
    public static long readShard(Path file, int numItems, List<String> ids, List<int[]> seqs) {
        SeqrecException.requireReadable(file, "seqbin shard");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new SeqrecException(file + ": " + size + " bytes, over the 2 GB a shard may hold (rewrite it with a smaller --shard-users)");
            }
            if (size < HEADER) {
                throw new SeqrecException(file + ": truncated (" + size + " bytes)");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            map.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new SeqrecException(file + ": not a seqbin shard (bad magic)");
            }
            int users = map.getInt();
            map.getInt();
            long interactions = map.getLong();
            long itemsAt = HEADER + 8L * (users + 1);
            if (users < 0 || interactions < 0 || itemsAt + 4 * interactions > size) {
                throw new SeqrecException(file + ": truncated or corrupt header (" + users + " users, " + interactions + " interactions, " + size
                        + " bytes)");
            }
            long[] offsets = new long[users + 1];
            for (int u = 0; u <= users; u++) {
                offsets[u] = map.getLong();
                if (u == 0 ? offsets[0] != 0 : offsets[u] < offsets[u - 1] || offsets[u] - offsets[u - 1] > Integer.MAX_VALUE) {
                    throw new SeqrecException(file + ": offsets out of order at user " + u);
                }
            }
            if (offsets[users] != interactions) {
                throw new SeqrecException(file + ": offsets end at " + offsets[users] + ", not at " + interactions);
            }
            java.nio.IntBuffer items = map.slice((int) itemsAt, (int) (4 * interactions)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            for (int u = 0; u < users; u++) {
                int[] s = new int[(int) (offsets[u + 1] - offsets[u])];
                items.get(s);
                for (int item : s) {
                    if (item < 1 || item > numItems) {
                        throw new SeqrecException(file + ": item id " + item + " outside 1.." + numItems);
                    }
                }
                seqs.add(s);
            }
            map.position((int) (itemsAt + 4 * interactions));
            for (int u = 0; u < users; u++) {
                int len = map.remaining() >= 4 ? map.getInt() : -1;
                if (len < 0 || len > map.remaining()) {
                    throw new SeqrecException(file + ": truncated user ids");
                }
                byte[] utf8 = new byte[len];
                map.get(utf8);
                ids.add(new String(utf8, StandardCharsets.UTF_8));
            }
            if (map.hasRemaining()) {
                throw new SeqrecException(file + ": " + map.remaining() + " bytes after the last user id");
            }
            return interactions;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
