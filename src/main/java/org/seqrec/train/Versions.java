package org.seqrec.train;

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

    public static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seqrec", seqrec());
        m.put("djl", PROPS.getProperty("djl", "?"));
        m.put("pytorch", PROPS.getProperty("pytorch", "?"));
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }
}
