package org.seqrec.util;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory's {@code manifest.json}: the size and SHA-256 of each file that loading it depends on,
 * written (atomically) after those files, and checked before they are used. A saved run lists its
 * config, item map, popularity counts and weights; every training checkpoint lists its weights,
 * optimizer state and history. A file that is missing, truncated or changed after the manifest was
 * written is refused with a {@link SeqrecException} naming it.
 */
public final class Manifest {
    private Manifest() {}

    public static final String FILE = "manifest.json";

    /** Writes the manifest of {@code files} (paths relative to {@code dir}, those missing are skipped). */
    public static void write(Path dir, List<String> files) {
        ObjectNode root = Json.object();
        root.put("format", 1);
        ArrayNode list = root.putArray("files");
        for (String rel : files) {
            Path p = resolveInside(dir, rel);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            try {
                list.addObject().put("path", rel).put("bytes", Files.size(p)).put("sha256", Hashing.sha256(p));
            } catch (IOException e) {
                throw new SeqrecException("cannot read " + p + " for the manifest: " + e.getMessage(), e);
            }
        }
        Json.write(dir.resolve(FILE), root);
    }

    /** Whether {@code dir} has a manifest. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /**
     * Checks every file listed in {@code dir}'s manifest; returns the paths checked, or an empty list
     * when the directory has no manifest (written before manifests existed).
     *
     * @param what what the directory is, for error messages ("run", "checkpoint")
     * @throws SeqrecException when the manifest is unreadable or a listed file is missing or differs
     */
    public static List<String> verify(Path dir, String what) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new SeqrecException(what + " " + dir + " is damaged: its " + FILE + " is not valid JSON", e);
        }
        JsonNode files = root == null ? null : root.path("files");
        if (files == null || !files.isArray()) {
            throw new SeqrecException(what + " " + dir + " is damaged: its " + FILE + " has no list of files");
        }
        List<String> checked = new ArrayList<>();
        for (JsonNode f : files) {
            String rel = f.path("path").asText("");
            Path p = resolveInside(dir, rel);
            long bytes = f.path("bytes").asLong(-1);
            String sha = f.path("sha256").asText("");
            if (!Files.isRegularFile(p)) {
                throw new SeqrecException(what + " " + dir + " is damaged: " + rel + " is missing (listed in its " + FILE + ")");
            }
            try {
                if (Files.size(p) != bytes) {
                    throw new SeqrecException(what + " " + dir + " is damaged: " + rel + " has " + Files.size(p)
                            + " bytes, its " + FILE + " says " + bytes + " (truncated or changed after it was written)");
                }
            } catch (IOException e) {
                throw new SeqrecException("cannot read " + p + ": " + e.getMessage(), e);
            }
            if (!Hashing.sha256(p).equals(sha)) {
                throw new SeqrecException(what + " " + dir + " is damaged: the checksum of " + rel + " differs from its "
                        + FILE + " (changed after it was written)");
            }
            checked.add(rel);
        }
        return checked;
    }

    /** {@code rel} under {@code dir}; a path that leaves the directory is refused. */
    private static Path resolveInside(Path dir, String rel) {
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(rel).normalize();
        if (rel.isEmpty() || !p.startsWith(base) || p.equals(base)) {
            throw new SeqrecException(dir + "/" + FILE + " names a file outside its directory: '" + rel + "'");
        }
        return p;
    }
}
