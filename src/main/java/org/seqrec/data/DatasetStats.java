package org.seqrec.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * The ConvFormer paper's Table 2 columns (#sequences, #items, #actions, sparsity) plus sequence
 * length statistics. {@code items} counts distinct items that occur; sparsity is
 * {@code 1 - pairs / (sequences * items)}, where {@code pairs} counts distinct (sequence, item) pairs:
 * the paper's {@code 1 - actions / (sequences * items)} on data without repeated items (as its four
 * datasets), and never negative on data where a user meets an item twice.
 */
public record DatasetStats(
        @JsonProperty("name") String name,
        @JsonProperty("sequences") int sequences,
        @JsonProperty("items") int items,
        @JsonProperty("max_item_id") int maxItemId,
        @JsonProperty("actions") long actions,
        @JsonProperty("sparsity") double sparsity,
        @JsonProperty("avg_length") double avgLength,
        @JsonProperty("median_length") double medianLength,
        @JsonProperty("min_length") int minLength,
        @JsonProperty("max_length") int maxLength,
        @JsonProperty("users_below_3_items") int usersBelow3,
        @JsonProperty("fingerprint") String fingerprint) {

    public static DatasetStats of(Dataset d) {
        int[] lengths = new int[d.numUsers()];
        boolean[] seen = new boolean[d.numItems() + 1];
        int items = 0;
        int maxId = 0;
        int below3 = 0;
        long pairs = 0;
        for (int u = 0; u < d.numUsers(); u++) {
            int[] s = d.sequence(u);
            pairs += Arrays.stream(s).distinct().count();
            lengths[u] = s.length;
            if (s.length < LeaveOneOut.MIN_LENGTH) {
                below3++;
            }
            for (int item : s) {
                if (!seen[item]) {
                    seen[item] = true;
                    items++;
                }
                maxId = Math.max(maxId, item);
            }
        }
        Arrays.sort(lengths);
        long actions = d.numInteractions();
        int n = lengths.length;
        double median = n % 2 == 1 ? lengths[n / 2] : (lengths[n / 2 - 1] + lengths[n / 2]) / 2.0;
        double sparsity = items == 0 ? 1.0 : 1.0 - (double) pairs / ((double) n * items);
        return new DatasetStats(d.name(), n, items, maxId, actions, sparsity, (double) actions / n, median, lengths[0],
                lengths[n - 1], below3, d.fingerprint());
    }

    /** A one-row Markdown table in the paper's layout. */
    public String toMarkdown() {
        return "| Dataset | #Sequences | #Items | #Actions | Sparsity | Avg len | Median len | Max len |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n"
                + String.format("| %s | %,d | %,d | %,d | %.2f%% | %.2f | %.1f | %d |%n", name, sequences, items, actions,
                        100 * sparsity, avgLength, medianLength, maxLength);
    }
}
