package org.seqrec.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions of seqrec and its engine, recorded in every result. */
public final class Versions {
    private static final Properties PROPS = new Properties();

    static {
        try (InputStream in = Versions.class.getResourceAsStream("/seqrec-version.properties")) {
            if (in != null) {
                PROPS.load(in);
            }
        } catch (IOException ignored) {
            // versions are informative only
        }
    }

    private Versions() {}

    public static String seqrec() {
        return PROPS.getProperty("version", "dev");
    }

    /** The machine, in words: CPU model, cores, memory (for benchmark records). */
    public static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: keep the generic name
        }
        long mem = 0;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    mem = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            mem = Runtime.getRuntime().maxMemory();
        }
        return String.format("%s, %d cores, %.0f GiB", cpu, Runtime.getRuntime().availableProcessors(), mem / (1024.0 * 1024 * 1024));
    }

    public static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seqrec", seqrec());
        m.put("djl", PROPS.getProperty("djl", "?"));
        m.put("pytorch", PROPS.getProperty("pytorch", "?"));
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("machine", machine());
        return m;
    }
}
