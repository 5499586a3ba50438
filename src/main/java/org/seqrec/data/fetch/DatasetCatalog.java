package org.seqrec.data.fetch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.seqrec.util.SeqrecException;

/**
 * The public datasets that {@code seqrec data fetch} knows: where each one is downloaded from, the
 * SHA-256 of the published file (where a verified value is known), which member of an archive
 * holds the interactions, and which {@link org.seqrec.data.LogFormat} preset reads them.
 *
 * <h2>Where the checksums come from</h2>
 * GroupLens publishes only MD5 files ({@code ml-*.zip.md5}) and the Amazon and Yelp pages publish
 * none, so the SHA-256 values below were taken from independent public sources and cross-checked:
 * <ul>
 *   <li><b>ml-1m</b> {@code a6898adb...c54e20} (5,917,549 bytes) and <b>ml-20m</b>
 *       {@code 96f243c3...765ff3} (198,702,078 bytes): TensorFlow Datasets' registered URL checksums,
 *       {@code tensorflow/datasets}, file {@code tensorflow_datasets/url_checksums/movielens.txt}
 *       (URL, size, sha256 per line). The same values are pinned in several unrelated projects
 *       (e.g. MovieLens download scripts, as {@code MOVIELENS_ZIP_HASH}), some of which also record
 *       that their copies match the GroupLens MD5s ({@code c4d9eecfca2ab87c1945afe126590906} for
 *       ml-1m, {@code cd245b17a1ae2cc31bb14903e1204af3} for ml-20m).</li>
 *   <li><b>ml-32m</b> {@code e4a68655...99d6ee} (238,950,008 bytes): not in TensorFlow Datasets;
 *       the value agrees across at least five independent public repositories found by code
 *       search (a Rust MovieLens downloader that pins it, and several projects' data manifests, some
 *       of which also record the size, 238,950,008 bytes). GroupLens itself publishes only
 *       {@code ml-32m.zip.md5}.</li>
 *   <li><b>beauty</b>, <b>sports</b>, <b>toys</b>: no published SHA-256 was found; the entries
 *       carry {@code null} and the fetch prints the computed value as "not verified".</li>
 *   <li><b>yelp</b>: a manual download behind a sign-up form; no checksum.</li>
 * </ul>
 * Never add a checksum that was not checked against a published source: a wrong value makes every
 * download fail, and an invented one would claim a verification that never happened.
 */
public final class DatasetCatalog {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private static final String AMAZON_2014 = "https://snap.stanford.edu/data/amazon/productGraph/categoryFiles/";
    private static final String AMAZON_CITATION = "J. McAuley, C. Targett, Q. Shi, A. van den Hengel. Image-based "
            + "recommendations on styles and substitutes. SIGIR 2015; R. He, J. McAuley. Ups and downs: modeling the "
            + "visual evolution of fashion trends with one-class collaborative filtering. WWW 2016. "
            + "Data page: https://cseweb.ucsd.edu/~jmcauley/datasets/amazon/links.html";
    private static final String MOVIELENS = "https://files.grouplens.org/datasets/movielens/";
    private static final String MOVIELENS_CITATION = "F. M. Harper, J. A. Konstan. The MovieLens datasets: history and "
            + "context. ACM TiiS 5(4), 2015. Usage terms: the README in the archive.";

    /** How a dataset is obtained. */
    public enum Access {
        /** Downloaded over HTTP(S) by {@code seqrec data fetch}. */
        DOWNLOAD,
        /** Needs a manual download (sign-up, terms); {@code fetch} prints instructions and takes {@code --file}. */
        MANUAL
    }

    /**
     * Field names of a JSON-lines log (one JSON object per line), converted to CSV before reading.
     *
     * @param user field holding the user id
     * @param item field holding the item id
     * @param rating field holding the rating (may be null)
     * @param time field holding the timestamp (epoch seconds or ISO-8601 date-time)
     */
    public record JsonFields(String user, String item, String rating, String time) {}

    /**
     * One catalogue entry.
     *
     * @param name the name given to {@code seqrec data fetch}; also the base name of the converted files
     * @param title a human-readable description
     * @param access whether the file can be downloaded automatically
     * @param url the file to download ({@link Access#DOWNLOAD}) or the page to download it from by hand
     * @param fileName the name the downloaded file is saved under
     * @param sha256 expected SHA-256 of the downloaded file (lower-case hex), or null when no verified value is known
     * @param sizeBytes the size of the published file, or null when not known (informational)
     * @param member the archive member holding the interactions (zip), or null when the file itself is the log
     * @param format the {@link org.seqrec.data.LogFormat} preset that reads the log
     * @param jsonFields for JSON-lines logs, the fields to turn into CSV columns; null for delimited logs
     * @param minRating default rating threshold (null: keep every rating)
     * @param citation what to cite, and where the terms of use are
     * @param notes extra instructions shown to the user (manual steps, mirrors), or null
     * @param sideMembers archive members with side data extracted beside the log (MovieLens 1M's user profiles and
     *     movie genres, the CTR model's features); empty when none
     */
    public record Entry(String name, String title, Access access, String url, String fileName, String sha256,
            Long sizeBytes, String member, String format, JsonFields jsonFields, Double minRating, String citation,
            String notes, List<String> sideMembers) {
        public Entry {
            if (sha256 != null && !SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException(name + ": sha256 must be 64 lower-case hex digits");
            }
            sideMembers = sideMembers == null ? List.of() : List.copyOf(sideMembers);
        }

        /** An entry without side data. */
        public Entry(String name, String title, Access access, String url, String fileName, String sha256, Long sizeBytes, String member,
                String format, JsonFields jsonFields, Double minRating, String citation, String notes) {
            this(name, title, access, url, fileName, sha256, sizeBytes, member, format, jsonFields, minRating, citation, notes, List.of());
        }

        /** True when the interactions are a member of a zip archive. */
        public boolean isArchive() {
            return member != null;
        }

        /** True when the log is JSON lines, turned into CSV before conversion. */
        public boolean isJsonLines() {
            return jsonFields != null;
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        amazon("beauty", "Beauty", "Amazon 2014 Beauty, ratings only (McAuley)");
        amazon("sports", "Sports_and_Outdoors", "Amazon 2014 Sports and Outdoors, ratings only (McAuley)");
        amazon("toys", "Toys_and_Games", "Amazon 2014 Toys and Games, ratings only (McAuley)");
        movielens("ml-1m", "MovieLens 1M: 1,000,209 ratings, 6,040 users", "ratings.dat",
                "movielens", "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20", 5_917_549L, "users.dat", "movies.dat");
        movielens("ml-20m", "MovieLens 20M: 20,000,263 ratings, 138,493 users", "ratings.csv", "movielens-csv",
                "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3", 198_702_078L, "movies.csv");
        movielens("ml-32m", "MovieLens 32M: 32,000,204 ratings, 200,948 users", "ratings.csv", "movielens-csv",
                "e4a68655d7386b8f95f2f2424b2ff975dfdd15ffd59e0d864a14dca43e99d6ee", 238_950_008L, "movies.csv");
        add(new Entry("yelp", "Yelp Open Dataset reviews (JSON lines; manual download after accepting the terms)",
                Access.MANUAL, "https://www.yelp.com/dataset", "yelp_academic_dataset_review.json", null, null, null,
                "csv", new JsonFields("user_id", "business_id", "stars", "date"), null,
                "Yelp Open Dataset, Yelp Inc.; use is governed by the Dataset User Agreement on the download page.",
                "1. Open https://www.yelp.com/dataset, accept the Dataset User Agreement and download the JSON "
                        + "version of the dataset.\n"
                        + "2. Extract yelp_academic_dataset_review.json from the archive (unzip and/or tar -xf, "
                        + "as the download requires).\n"
                        + "3. Run: seqrec data fetch yelp --file PATH/yelp_academic_dataset_review.json\n"
                        + "   This turns the JSON lines (user_id, business_id, stars, date) into DIR/yelp.csv and converts "
                        + "it to DIR/yelp.txt.\n"
                        + "   The CSV can also be converted by hand: seqrec data convert --data DIR/yelp.csv --format csv "
                        + "--out DIR/yelp.txt"));
    }

    private DatasetCatalog() {}

    private static void amazon(String name, String category, String title) {
        String file = "ratings_" + category + ".csv";
        add(new Entry(name, title, Access.DOWNLOAD, AMAZON_2014 + file, file, null, null, null, "amazon", null, null,
                AMAZON_CITATION, "No published checksum; if the SNAP server is unreachable, pass a mirror with --url."));
    }

    private static void movielens(String name, String title, String ratingsFile, String format, String sha256,
            long size, String... sideFiles) {
        List<String> side = new ArrayList<>();
        for (String f : sideFiles) {
            side.add(name + "/" + f);
        }
        add(new Entry(name, title, Access.DOWNLOAD, MOVIELENS + name + ".zip", name + ".zip", sha256, size,
                name + "/" + ratingsFile, format, null, null, MOVIELENS_CITATION, null, side));
    }

    private static void add(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    /** Every entry, in catalogue order. */
    public static List<Entry> all() {
        return Collections.unmodifiableList(new ArrayList<>(ENTRIES.values()));
    }

    /** The known names, in catalogue order. */
    public static List<String> names() {
        return List.copyOf(ENTRIES.keySet());
    }

    public static Optional<Entry> find(String name) {
        return Optional.ofNullable(ENTRIES.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The entry called {@code name} (case-insensitive); a {@link SeqrecException} listing the known names otherwise. */
    public static Entry get(String name) {
        return find(name).orElseThrow(() -> new SeqrecException("unknown dataset '" + name + "' (known: "
                + String.join(", ", names()) + "; see 'seqrec data fetch --list')"));
    }

    /**
     * A user-given SHA-256 in canonical form (lower case, no spaces); null stays null.
     *
     * @throws SeqrecException when it is not 64 hex digits
     */
    public static String normalizeSha256(String hex) {
        if (hex == null) {
            return null;
        }
        String h = hex.trim().toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(h).matches()) {
            throw new SeqrecException("not a SHA-256 (64 hex digits): '" + hex + "'");
        }
        return h;
    }
}
