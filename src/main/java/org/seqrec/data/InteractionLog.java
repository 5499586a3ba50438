package org.seqrec.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw interactions in file order, stored column-wise in primitive arrays so that logs with tens
 * of millions of rows fit in memory. Users and items are coded in order of first appearance.
 */
public final class InteractionLog {
    private final Map<String, Integer> userCodes = new HashMap<>();
    private final Map<String, Integer> itemCodes = new HashMap<>();
    private final List<String> users = new ArrayList<>();
    private final List<String> items = new ArrayList<>();
    private int[] user = new int[1024];
    private int[] item = new int[1024];
    private double[] time = new double[1024];
    private float[] rating = new float[1024];
    private int size;

    public void add(String userId, String itemId, double timestamp, float rate) {
        if (size == user.length) {
            int cap = size * 2;
            user = Arrays.copyOf(user, cap);
            item = Arrays.copyOf(item, cap);
            time = Arrays.copyOf(time, cap);
            rating = Arrays.copyOf(rating, cap);
        }
        user[size] = code(userCodes, users, userId);
        item[size] = code(itemCodes, items, itemId);
        time[size] = timestamp;
        rating[size] = rate;
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

    public int size() {
        return size;
    }

    public int numUsers() {
        return users.size();
    }

    public int numItems() {
        return items.size();
    }

    public int user(int row) {
        return user[row];
    }

    public int item(int row) {
        return item[row];
    }

    public double time(int row) {
        return time[row];
    }

    /** The rating, or NaN when the log has none. */
    public float rating(int row) {
        return rating[row];
    }

    public String userName(int code) {
        return users.get(code);
    }

    public String itemName(int code) {
        return items.get(code);
    }
}
