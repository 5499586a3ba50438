package org.seqrec.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/** What every benchmark main records beside its figures: the machine's load, and its PREFIX.json and PREFIX.md. */
final class BenchResults {
    private BenchResults() {}

    /** The 1-minute load average now. */
    static String load1() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /** Writes {@code PREFIX.json} and {@code PREFIX.md}, and prints the Markdown. */
    static void write(String prefix, ObjectNode json, String md) {
        Json.write(Path.of(prefix + ".json"), json);
        AtomicFiles.writeString(Path.of(prefix + ".md"), md);
        System.out.print(md);
    }
}
