package org.seqrec.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's peak resident set size, for the memory figures of training logs and benchmarks. */
public final class PeakMemory {
    private PeakMemory() {}

    /** Peak RSS in bytes ({@code VmHWM} of {@code /proc/self/status}), or -1 where the system has none (not Linux). */
    public static long peakRssBytes() {
        long kb = statusKb("VmHWM:");
        return kb < 0 ? -1 : kb * 1024;
    }

    /** Current RSS in bytes ({@code VmRSS}), or -1 where unavailable. */
    public static long rssBytes() {
        long kb = statusKb("VmRSS:");
        return kb < 0 ? -1 : kb * 1024;
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
