package org.seqrec.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * A run's {@code history.jsonl}: one JSON object per completed epoch, epochs 1, 2, ... in order, each
 * with its loss. Read by {@code --resume} (from the checkpoint's copy) and by {@code plot}; a line that
 * is not such an object is refused with {@code FILE:LINE}, never skipped or half-read.
 */
public final class TrainingHistory {
    private TrainingHistory() {}

    /** One epoch's line: its text as written and its parsed form. */
    public record Line(String text, JsonNode node) {
        public int epoch() {
            return node.path("epoch").asInt();
        }

        public double loss() {
            return node.path("loss").asDouble();
        }
    }

    /** Every epoch's line of {@code file} (blank lines ignored). */
    public static List<Line> read(Path file) {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new SeqrecException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<Line> lines = new ArrayList<>();
        for (int no = 1; no <= raw.size(); no++) {
            String text = raw.get(no - 1);
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(text);
            } catch (IOException e) {
                node = null;
            }
            int expected = lines.size() + 1;
            if (node == null || !node.isObject() || !node.path("epoch").canConvertToInt() || node.path("epoch").asInt() != expected
                    || !node.path("loss").isNumber()) {
                throw SeqrecException.atLine(file, no, "not the training history line of epoch " + expected
                        + " (a JSON object with epoch and loss)");
            }
            lines.add(new Line(text, node));
        }
        return lines;
    }
}
