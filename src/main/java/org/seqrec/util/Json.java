package org.seqrec.util;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One shared Jackson mapper, pretty-printing, with atomic file writes. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Puts {@code value} under {@code key}; JSON has no NaN, so an undefined statistic is written as null. */
    public static void putNumber(ObjectNode node, String key, double value) {
        if (Double.isNaN(value)) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }

    public static String toString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass(), e);
        }
    }

    /** {@code value} as JSON on one line (for metadata strings). */
    public static String compact(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass(), e);
        }
    }

    public static void write(Path file, Object value) {
        AtomicFiles.writeString(file, toString(value) + "\n");
    }

    public static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw SeqrecException.missingFile(file, "JSON file");
        }
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new SeqrecException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    public static <T> T read(Path file, Class<T> type) {
        try {
            return MAPPER.convertValue(read(file), type);
        } catch (IllegalArgumentException e) {
            throw new SeqrecException(file + ": unexpected content: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
