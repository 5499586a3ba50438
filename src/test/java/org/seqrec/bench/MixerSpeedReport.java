package org.seqrec.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.seqrec.report.Charts;
import org.seqrec.run.Versions;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/**
 * Turns the JMH JSON of {@link MixerInferenceBenchmark} into {@code PREFIX.json} (medians),
 * {@code PREFIX.md} (a table per L) and {@code PREFIX-L{len}.png/.svg} (time against K).
 * Usage: {@code MixerSpeedReport JMH_JSON PREFIX}.
 */
public final class MixerSpeedReport {
    private MixerSpeedReport() {}

    public static void main(String[] args) {
        JsonNode jmh = Json.read(Path.of(args[0]));
        Path prefix = Path.of(args[1]);
        // len -> mixer -> kernel -> median ms
        Map<Integer, Map<String, TreeMap<Integer, Double>>> table = new TreeMap<>();
        ArrayNode rows = Json.MAPPER.createArrayNode();
        int batch = 0;
        for (JsonNode r : jmh) {
            JsonNode p = r.path("params");
            int len = p.path("len").asInt();
            int kernel = p.path("kernel").asInt();
            String mixer = p.path("mixer").asText();
            batch = p.path("batch").asInt();
            if (kernel > len || (mixer.equals("sar") && kernel != 10)) {
                continue; // skipped combinations (see the benchmark)
            }
            List<Double> raw = new ArrayList<>();
            for (JsonNode fork : r.path("primaryMetric").path("rawData")) {
                for (JsonNode v : fork) {
                    raw.add(v.asDouble());
                }
            }
            double median = Medians.of(raw);
            table.computeIfAbsent(len, k -> new TreeMap<>()).computeIfAbsent(mixer, k -> new TreeMap<>()).put(kernel, median);
            ObjectNode row = rows.addObject();
            row.put("len", len);
            row.put("kernel", kernel);
            row.put("mixer", mixer);
            row.put("median_ms", median);
            row.set("runs_ms", Json.MAPPER.valueToTree(raw));
        }
        ObjectNode out = Json.object();
        out.put("benchmark", "token mixer only, inference, batch " + batch + ", D 64 (ConvFormer paper Figure 8)");
        out.put("machine", Versions.machine());
        out.set("versions", Json.MAPPER.valueToTree(Versions.all()));
        out.set("rows", rows);
        Json.write(Path.of(prefix + ".json"), out);

        StringBuilder md = new StringBuilder();
        md.append("Token-mixer inference time (ms, median of 5 single-shot runs), batch ").append(batch)
                .append(", D 64, `bench/mixer-speed.sh`. Machine: ").append(Versions.machine()).append(".\n");
        for (Map.Entry<Integer, Map<String, TreeMap<Integer, Double>>> e : table.entrySet()) {
            int len = e.getKey();
            Map<String, TreeMap<Integer, Double>> byMixer = e.getValue();
            TreeMap<Integer, Double> conv = byMixer.getOrDefault("convformer", new TreeMap<>());
            double sar = byMixer.containsKey("sar") ? byMixer.get("sar").firstEntry().getValue() : Double.NaN;
            md.append("\n### L = ").append(len).append("\n\n| K | ConvFormer (direct) | ConvFormer-F (FFT) | self-attention (1 head) | F speed-up |\n|---:|---:|---:|---:|---:|\n");
            List<Charts.Series> series = new ArrayList<>();
            for (String mixer : List.of("convformer", "convformer-f")) {
                TreeMap<Integer, Double> m = byMixer.getOrDefault(mixer, new TreeMap<>());
                series.add(new Charts.Series(mixer.equals("convformer") ? "ConvFormer" : "ConvFormer-F",
                        new ArrayList<>(m.keySet()), new ArrayList<>(m.values())));
            }
            List<Integer> ks = new ArrayList<>(conv.keySet());
            List<Double> flat = new ArrayList<>();
            for (int k : ks) {
                double c = conv.getOrDefault(k, Double.NaN);
                double f = byMixer.getOrDefault("convformer-f", new TreeMap<>()).getOrDefault(k, Double.NaN);
                md.append(String.format("| %d | %.1f | %.1f | %.1f | %.2fx |%n", k, c, f, sar, c / f));
                flat.add(sar);
            }
            if (!Double.isNaN(sar)) {
                series.add(new Charts.Series("self-attention", ks, flat));
            }
            Charts.save(Charts.line("Token mixer inference, L = " + len + ", batch " + batch, "kernel size K", "ms per batch",
                    series), Path.of(prefix + "-L" + len));
        }
        AtomicFiles.writeString(Path.of(prefix + ".md"), md.toString());
        System.out.print(md);
    }

}
