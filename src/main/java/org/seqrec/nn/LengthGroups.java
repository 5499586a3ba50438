package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * Encoding a left-padded batch as groups of rows of similar length, each cropped to its longest
 * row. For a model whose state at the last position does not change when leading padding is removed
 * (RecGRELA: no absolute positions, padding masked out of every sum, relative RoPE; the SAR family:
 * padded keys masked, position-indexed weights read for the last positions), this gives the
 * same representations as the whole {@code [B, L]} batch at a cost proportional to the real lengths:
 * on Beauty, a prefix-CE sample holds 8.4 items on average at L 50 and 9.1 at L 200, so most of a
 * full-width batch is padding. The grouping changes which rows share an engine call, not which rows
 * share a batch: the loss and its gradient are those of the whole batch.
 *
 * <p>The groups come from an exact dynamic programme over the sorted lengths minimising
 * {@code Σ rows(g) · crop(g) + overhead · groups}; {@code overhead} is the fixed cost of one more
 * group's engine calls, in row-positions.
 */
public final class LengthGroups {
    /** Measured default: one group's fixed engine-call cost is about that of 256 row-positions (bench/results/recgrela-crop.md). */
    public static final int DEFAULT_OVERHEAD = 256;

    /** The params that switch and tune grouping: they change which rows share an engine call, not any result. */
    public static final java.util.Set<String> PARAMS = java.util.Set.of("length_groups", "group_overhead");

    private LengthGroups() {}

    /** One group: the batch rows it holds (in the order they are encoded) and the width they are cropped to. */
    public record Group(int[] rows, int crop) {}

    /**
     * The real length of each row of left-padded ids {@code [B, L]} (row-major): {@code L} minus the
     * number of leading zeros; at least 1, so an all-padding row is encoded from its last position.
     */
    public static int[] lengths(long[] ids, int rows, int width) {
        return lengths(ids, rows, width, LengthGroups::atLeastOne);
    }

    /**
     * The width each row needs: {@code cropOf} of its number of items (0 for an all-padding row), for
     * models that need more than the items, e.g. an empty history at full width (attention over only
     * masked keys is uniform over all of them) or widths that keep pooling windows aligned.
     */
    public static int[] lengths(long[] ids, int rows, int width, IntUnaryOperator cropOf) {
        int[] len = new int[rows];
        for (int r = 0; r < rows; r++) {
            int first = 0;
            while (first < width && ids[r * width + first] == 0) {
                first++;
            }
            len[r] = Math.min(width, cropOf.applyAsInt(width - first));
        }
        return len;
    }

    private static int atLeastOne(int items) {
        return Math.max(1, items);
    }

    /** The groups minimising {@code Σ rows · crop + overhead · groups}; every row is in exactly one group. */
    public static List<Group> plan(int[] lengths, int overhead) {
        int n = lengths.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(lengths[a], lengths[b]));
        // distinct lengths v[0] < ... < v[m-1]; end[j] = number of sorted rows with length <= v[j]
        int[] v = new int[n];
        int[] end = new int[n];
        int m = 0;
        for (int k = 0; k < n; k++) {
            int len = lengths[order[k]];
            if (m == 0 || v[m - 1] != len) {
                v[m++] = len;
            }
            end[m - 1] = k + 1;
        }
        long[] best = new long[m + 1]; // best[j]: cost of grouping the rows with the j smallest lengths
        int[] cut = new int[m + 1];
        for (int j = 1; j <= m; j++) {
            best[j] = Long.MAX_VALUE;
            for (int a = 0; a < j; a++) { // last group: distinct lengths a .. j-1
                int from = a == 0 ? 0 : end[a - 1];
                long cost = best[a] + (long) (end[j - 1] - from) * v[j - 1] + overhead;
                if (cost < best[j]) {
                    best[j] = cost;
                    cut[j] = a;
                }
            }
        }
        List<Group> groups = new ArrayList<>();
        for (int j = m; j > 0; j = cut[j]) {
            int from = cut[j] == 0 ? 0 : end[cut[j] - 1];
            int[] rows = new int[end[j - 1] - from];
            for (int k = 0; k < rows.length; k++) {
                rows[k] = order[from + k];
            }
            groups.add(0, new Group(rows, v[j - 1]));
        }
        return groups;
    }

    /**
     * {@code encodeLast} applied group by group to left-padded {@code ids [B, L]}, each group cropped
     * to its longest row; the {@code [B, D]} result is in the rows' original order and carries the
     * gradient of every group. One group of full width is the plain call.
     */
    public static NDArray encodeLast(NDArray ids, int overhead, UnaryOperator<NDArray> encodeLast) {
        return encodeLast(ids, overhead, LengthGroups::atLeastOne, encodeLast);
    }

    /** @param cropOf the width a row with that many items needs (see {@link #lengths(long[], int, int, IntUnaryOperator)}) */
    public static NDArray encodeLast(NDArray ids, int overhead, IntUnaryOperator cropOf, UnaryOperator<NDArray> encodeLast) {
        return encodeLast(ids, overhead, cropOf, null, (part, looked) -> encodeLast.apply(part));
    }

    /**
     * As {@link #encodeLast(NDArray, int, IntUnaryOperator, UnaryOperator)}, with the rows of an
     * embedding table looked up once for all groups: {@code lookup} maps int64 ids {@code [N]} to
     * {@code [N, D]} and {@code encode} gets a group's ids {@code [rows, crop]} with their looked-up
     * rows {@code [rows, crop, D]}. One gather, and one dense table-sized gradient in the backward
     * pass, for the whole batch instead of one per group; the loss is the same to the last digit.
     */
    public static NDArray encodeLast(NDArray ids, int overhead, IntUnaryOperator cropOf, UnaryOperator<NDArray> lookup,
            BiFunction<NDArray, NDArray, NDArray> encode) {
        int rows = (int) ids.getShape().get(0);
        int width = (int) ids.getShape().get(1);
        long[] host = ids.toLongArray();
        List<Group> groups = plan(lengths(host, rows, width, cropOf), overhead);
        if (groups.size() == 1 && groups.get(0).crop() == width) {
            return encode.apply(ids, lookup == null ? null : lookup.apply(ids));
        }
        NDManager m = ids.getManager();
        long[] position = new long[rows]; // row r's place in the concatenation of the groups
        long[][] parts = new long[groups.size()][];
        int next = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            long[] part = new long[g.rows().length * g.crop()];
            for (int k = 0; k < g.rows().length; k++) {
                int r = g.rows()[k];
                System.arraycopy(host, r * width + width - g.crop(), part, k * g.crop(), g.crop());
                position[r] = next++;
            }
            parts[gi] = part;
        }
        NDList looked = lookup == null ? null : lookupAll(m, parts, lookup);
        NDList reps = new NDList(groups.size());
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            Shape shape = new Shape(g.rows().length, g.crop());
            NDArray rowsOf = looked == null ? null : looked.get(gi).reshape(shape.add(looked.get(gi).getShape().get(1)));
            reps.add(encode.apply(m.create(parts[gi], shape), rowsOf));
        }
        NDArray all = reps.size() == 1 ? reps.get(0) : NDArrays.concat(reps, 0);
        return Nn.embedding(m.create(position), all); // a row gather the gradient flows through
    }

    /** {@code lookup} of every group's ids in one call, split back into one {@code [n, D]} piece per group. */
    private static NDList lookupAll(NDManager m, long[][] parts, UnaryOperator<NDArray> lookup) {
        int total = 0;
        for (long[] part : parts) {
            total += part.length;
        }
        long[] flat = new long[total];
        long[] cuts = new long[parts.length - 1];
        int at = 0;
        for (int gi = 0; gi < parts.length; gi++) {
            System.arraycopy(parts[gi], 0, flat, at, parts[gi].length);
            at += parts[gi].length;
            if (gi < cuts.length) {
                cuts[gi] = at;
            }
        }
        NDArray rows = lookup.apply(m.create(flat));
        return cuts.length == 0 ? new NDList(rows) : rows.split(cuts, 0);
    }
}
