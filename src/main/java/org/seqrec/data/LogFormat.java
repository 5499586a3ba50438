package org.seqrec.data;

import java.util.Locale;
import org.seqrec.util.SeqrecException;

/**
 * How to read an interaction log: delimiter, header, and which columns hold the user, the item,
 * the timestamp and (optionally) the rating. Columns are given by header name or by 0-based index.
 * Presets cover the common layouts; any field can be overridden.
 *
 * <ul>
 *   <li>{@code csv}: comma, header, columns {@code user_id,item_id,timestamp}</li>
 *   <li>{@code tsv}: tab, header, same columns</li>
 *   <li>{@code recbole}: RecBole atomic {@code .inter} file, tab, typed header
 *       ({@code user_id:token item_id:token rating:float timestamp:float})</li>
 *   <li>{@code movielens}: MovieLens 1M/10M {@code ratings.dat}, {@code UserID::MovieID::Rating::Timestamp}</li>
 *   <li>{@code movielens-csv}: MovieLens 20M/25M/32M {@code ratings.csv}, header {@code userId,movieId,rating,timestamp}</li>
 *   <li>{@code amazon}: Amazon "ratings only" CSV, no header, {@code user,item,rating,timestamp}</li>
 *   <li>{@code parquet}, {@code jsonl}: Parquet and JSON lines (one object per line), columns by name as in {@code csv}
 *       (read by {@link DuckDbLogReader})</li>
 * </ul>
 */
public final class LogFormat {
    /** Sentinel column name meaning "this column is absent" (for the timestamp: keep file order). */
    public static final String NONE = "none";

    public final String preset;
    public final String delimiter;
    public final boolean header;
    public final String userCol;
    public final String itemCol;
    public final String timeCol;
    public final String ratingCol;
    /** How timestamps are written: see {@link TimeParser} (null: auto). */
    public final String timeFormat;

    public LogFormat(String preset, String delimiter, boolean header, String userCol, String itemCol, String timeCol,
            String ratingCol) {
        this(preset, delimiter, header, userCol, itemCol, timeCol, ratingCol, null);
    }

    public LogFormat(String preset, String delimiter, boolean header, String userCol, String itemCol, String timeCol,
            String ratingCol, String timeFormat) {
        this.timeFormat = timeFormat;
        this.preset = preset;
        this.delimiter = delimiter;
        this.header = header;
        this.userCol = userCol;
        this.itemCol = itemCol;
        this.timeCol = timeCol;
        this.ratingCol = ratingCol;
    }

    public static LogFormat preset(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "csv":
                return new LogFormat("csv", ",", true, "user_id", "item_id", "timestamp", "rating");
            case "tsv":
                return new LogFormat("tsv", "\t", true, "user_id", "item_id", "timestamp", "rating");
            case "recbole":
                return new LogFormat("recbole", "\t", true, "user_id", "item_id", "timestamp", "rating");
            case "movielens":
                return new LogFormat("movielens", "::", false, "0", "1", "3", "2");
            case "movielens-csv":
                return new LogFormat("movielens-csv", ",", true, "userId", "movieId", "timestamp", "rating");
            case "amazon":
                return new LogFormat("amazon", ",", false, "0", "1", "3", "2");
            case "parquet":
                return new LogFormat("parquet", ",", true, "user_id", "item_id", "timestamp", "rating");
            case "jsonl":
                return new LogFormat("jsonl", ",", true, "user_id", "item_id", "timestamp", "rating");
            default:
                throw new SeqrecException("unknown log format '" + name
                        + "' (known: csv, tsv, recbole, movielens, movielens-csv, amazon, parquet, jsonl)");
        }
    }

    /** The preset that fits a file name: {@code .inter}, {@code .dat}, {@code .tsv}, otherwise csv. */
    public static String presetFor(String fileName) {
        String f = fileName.toLowerCase(Locale.ROOT);
        if (f.endsWith(".inter")) {
            return "recbole";
        }
        if (f.endsWith(".dat")) {
            return "movielens";
        }
        if (f.endsWith(".tsv") || f.endsWith(".tab")) {
            return "tsv";
        }
        if (f.endsWith(".parquet") || f.endsWith(".pq")) {
            return "parquet";
        }
        if (f.endsWith(".jsonl") || f.endsWith(".ndjson")) {
            return "jsonl";
        }
        return "csv";
    }

    public LogFormat withDelimiter(String d) {
        return d == null ? this : new LogFormat(preset, unescape(d), header, userCol, itemCol, timeCol, ratingCol, timeFormat);
    }

    public LogFormat withTimeFormat(String f) {
        return f == null ? this : new LogFormat(preset, delimiter, header, userCol, itemCol, timeCol, ratingCol, f);
    }

    /**
     * Sets whether the file has a header. Without one, a preset's column names mean nothing, so they
     * become the indices {@code 0, 1, 2} (user, item, time) and no rating; {@link #withColumns} can
     * then set others.
     */
    public LogFormat withHeader(Boolean h) {
        if (h == null || h == header) {
            return this;
        }
        if (!h && !isIndex(userCol)) {
            return new LogFormat(preset, delimiter, false, "0", "1", "2", NONE, timeFormat);
        }
        return new LogFormat(preset, delimiter, h, userCol, itemCol, timeCol, ratingCol, timeFormat);
    }

    private static boolean isIndex(String col) {
        return col != null && !col.isEmpty() && col.chars().allMatch(Character::isDigit);
    }

    public LogFormat withColumns(String user, String item, String time, String rating) {
        return new LogFormat(preset, delimiter, header,
                user != null ? user : userCol,
                item != null ? item : itemCol,
                time != null ? time : timeCol,
                rating != null ? rating : ratingCol, timeFormat);
    }

    private static String unescape(String d) {
        switch (d) {
            case "\\t":
            case "tab":
                return "\t";
            case "space":
                return " ";
            default:
                return d;
        }
    }

    @Override
    public String toString() {
        return preset + "(delimiter=" + printable(delimiter) + ", header=" + header + ", user=" + userCol + ", item="
                + itemCol + ", time=" + timeCol + ", rating=" + ratingCol + (timeFormat != null ? ", time-format=" + timeFormat : "") + ")";
    }

    private static String printable(String d) {
        return d.equals("\t") ? "\\t" : "'" + d + "'";
    }
}
