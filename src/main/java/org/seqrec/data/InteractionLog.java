package org.seqrec.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw interactions in file order, stored column-wise in primitive blocks of {@value #BLOCK} rows so
 * that logs with tens of millions of rows fit in memory: growing adds a block and copies nothing, so
 * the columns' peak is what they hold (20 bytes a row, 16 without ratings) instead of up to three
 * times that while doubling arrays. The rating column is kept only once a row has a rating. Users
 * and items are coded in order of first appearance.
 */
public final class InteractionLog implements LogSink {
    static final int SHIFT = 16;
    static final int BLOCK = 1 << SHIFT;
    private static final int MASK = BLOCK - 1;

    private final Map<String, Integer> userCodes = new HashMap<>();
    private final Map<String, Integer> itemCodes = new HashMap<>();
    private final List<String> users = new ArrayList<>();
    private final List<String> items = new ArrayList<>();
    private final List<int[]> user = new ArrayList<>();
    private final List<int[]> item = new ArrayList<>();
    private final List<double[]> time = new ArrayList<>();
    private List<float[]> rating; // null while no row has a rating
    private int size;

    @Override
    public void add(String userId, String itemId, double timestamp, float rate) {
        if (size == Integer.MAX_VALUE) {
            throw new org.seqrec.util.SeqrecException("a log of more than " + Integer.MAX_VALUE + " rows does not fit one JVM;"
                    + " split it by user, or prepare it with the Spark job");
        }
        int offset = size & MASK;
        if (offset == 0) {
            user.add(new int[BLOCK]);
            item.add(new int[BLOCK]);
            time.add(new double[BLOCK]);
            if (rating != null) {
                rating.add(new float[BLOCK]);
            }
        }
        int block = size >>> SHIFT;
        user.get(block)[offset] = code(userCodes, users, userId);
        item.get(block)[offset] = code(itemCodes, items, itemId);
        time.get(block)[offset] = timestamp;
        if (rating == null && !Float.isNaN(rate)) { // the first rated row: earlier rows have none
            rating = new ArrayList<>();
            for (int b = 0; b <= block; b++) {
                float[] r = new float[BLOCK];
                Arrays.fill(r, Float.NaN);
                rating.add(r);
            }
        }
        if (rating != null) {
            rating.get(block)[offset] = rate;
        }
        size++;
    }

    private static int code(Map<String, Integer> codes, List<String> names, String id) {
        Integer c = codes.get(id);
        if (c == null) {
            c = names.size();
            codes.put(id, c);
            names.add(id);
        }
        return c;
    }

    @Override
    public long size() {
        return size;
    }

    /** {@link #size()} as an int: a log never holds more than {@link Integer#MAX_VALUE} rows. */
    public int rows() {
        return size;
    }

    public int numUsers() {
        return users.size();
    }

    public int numItems() {
        return items.size();
    }

    public int user(int row) {
        return user.get(row >>> SHIFT)[row & MASK];
    }

    public int item(int row) {
        return item.get(row >>> SHIFT)[row & MASK];
    }

    public double time(int row) {
        return time.get(row >>> SHIFT)[row & MASK];
    }

    /** The rating, or NaN when the row (or the whole log) has none. */
    public float rating(int row) {
        return rating == null ? Float.NaN : rating.get(row >>> SHIFT)[row & MASK];
    }

    public String userName(int code) {
        return users.get(code);
    }

    public String itemName(int code) {
        return items.get(code);
    }
}
