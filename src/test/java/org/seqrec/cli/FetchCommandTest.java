package org.seqrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.TestHttpServer;
import org.seqrec.util.Progress;

/** End-to-end {@code seqrec data fetch} against a loopback HTTP server. */
class FetchCommandTest {
    @TempDir Path dir;
    TestHttpServer server;
    String stdout;
    String stderr;

    @BeforeAll
    static void quiet() {
        Progress.setEnabled(false);
    }

    @BeforeEach
    void start() throws IOException {
        server = new TestHttpServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** An Amazon "ratings only" CSV: 20 users, each rating 6 of 10 items; every item has 12 ratings (5-core safe). */
    static byte[] amazonCsv() {
        StringBuilder sb = new StringBuilder();
        for (int u = 0; u < 20; u++) {
            for (int j = 0; j < 6; j++) {
                int item = (u + j) % 10;
                sb.append("A").append(100 + u).append(",B00").append(item).append(',').append(1 + (u + j) % 5)
                        .append(".0,").append(1_400_000_000L + 86_400L * (u * 7 + j)).append('\n');
            }
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A MovieLens-1M-style zip with {@code ml-1m/ratings.dat} and a README. */
    static byte[] movielensZip() throws IOException {
        StringBuilder dat = new StringBuilder();
        for (int u = 1; u <= 8; u++) {
            for (int j = 0; j < 3; j++) {
                dat.append(u).append("::").append(10 + (u + j) % 4).append("::4::").append(978_300_000 + u * 10 + j)
                        .append('\n');
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("ml-1m/README"));
            zip.write("test archive\n".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("ml-1m/ratings.dat"));
            zip.write(dat.toString().getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("ml-1m/users.dat"));
            zip.write("1::F::1::10::48067\n2::M::56::16::70072\n".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("ml-1m/movies.dat"));
            zip.write("10::GoldenEye (1995)::Action|Adventure|Thriller\n".getBytes(StandardCharsets.ISO_8859_1));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private int fetch(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "data";
        all[1] = "fetch";
        System.arraycopy(args, 0, all, 2, args.length);
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return Main.run(all);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            stdout = out.toString(StandardCharsets.UTF_8);
            stderr = err.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void fetchesVerifiesAndConvertsAnAmazonCsv() throws IOException {
        byte[] csv = amazonCsv();
        server.files.put("/ratings_Beauty.csv", csv);
        String sha = TestHttpServer.sha256(csv);

        int code = fetch("beauty", "--dir", dir.toString(), "--url", server.uri("/ratings_Beauty.csv").toString(),
                "--sha256", sha);

        assertThat(code).as(stderr).isZero();
        assertThat(dir.resolve("ratings_Beauty.csv")).hasBinaryContent(csv);
        List<String> lines = Files.readAllLines(dir.resolve("beauty.txt"));
        assertThat(lines).hasSize(20).allSatisfy(l -> assertThat(l.split(" ")).hasSize(7));
        assertThat(Files.readAllLines(dir.resolve("beauty.item_map.tsv"))).isNotEmpty();
        assertThat(dir.resolve("beauty.user_map.tsv")).exists();
        assertThat(stdout).contains("verified against --sha256").contains("--data " + dir.resolve("beauty.txt"));
        assertThat(stderr).doesNotContain("not verified");

        // a second run finds the verified download and does not ask the server again
        int before = server.requests.get();
        assertThat(fetch("beauty", "--dir", dir.toString(), "--url", server.uri("/ratings_Beauty.csv").toString(),
                "--sha256", sha)).isZero();
        assertThat(server.requests.get()).isEqualTo(before);
        assertThat(stdout).contains("already present");
    }

    @Test
    void withoutAChecksumWarnsAndPrintsTheHash() {
        byte[] csv = amazonCsv();
        server.files.put("/ratings_Toys_and_Games.csv", csv);

        int code = fetch("toys", "--dir", dir.toString(), "--url",
                server.uri("/ratings_Toys_and_Games.csv").toString(), "--no-convert");

        assertThat(code).as(stderr).isZero();
        assertThat(stderr).contains("not verified: no checksum in the catalogue")
                .contains(TestHttpServer.sha256(csv));
        assertThat(stdout).contains("seqrec data convert --data").contains("--format amazon");
        assertThat(dir.resolve("ratings_Toys_and_Games.csv")).exists();
        assertThat(dir.resolve("toys.txt")).doesNotExist();
    }

    @Test
    void extractsTheRatingsMemberFromAZip() throws IOException {
        byte[] zip = movielensZip();
        server.files.put("/ml-1m.zip", zip);

        int code = fetch("ml-1m", "--dir", dir.toString(), "--url", server.uri("/ml-1m.zip").toString(), "--sha256",
                TestHttpServer.sha256(zip), "--kcore", "1");

        assertThat(code).as(stderr).isZero();
        assertThat(dir.resolve("ml-1m.zip")).exists();
        assertThat(Files.readAllLines(dir.resolve("ml-1m/ratings.dat"))).hasSize(24);
        assertThat(Files.readAllLines(dir.resolve("ml-1m.txt"))).hasSize(8);
        assertThat(dir.resolve("ml-1m.item_map.tsv")).exists();
        // the CTR model's side data is extracted beside the ratings
        assertThat(Files.readAllLines(dir.resolve("ml-1m/users.dat"))).hasSize(2);
        assertThat(Files.readAllLines(dir.resolve("ml-1m/movies.dat"))).containsExactly("10::GoldenEye (1995)::Action|Adventure|Thriller");
        assertThat(stdout).contains("user_features=");
    }

    @Test
    void aMirrorServingOtherBytesFailsTheCatalogueChecksum() throws IOException {
        server.files.put("/ml-1m.zip", movielensZip());

        int code = fetch("ml-1m", "--dir", dir.toString(), "--url", server.uri("/ml-1m.zip").toString());

        assertThat(code).isEqualTo(2);
        assertThat(stderr).contains("checksum mismatch").contains(server.uri("/ml-1m.zip").toString())
                .contains("a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20");
        assertThat(dir.resolve("ml-1m.zip")).doesNotExist();
        assertThat(dir.resolve("ml-1m.zip.part")).doesNotExist();
    }

    @Test
    void httpErrorsAreReported() {
        int code = fetch("sports", "--dir", dir.toString(), "--url", server.uri("/nothing.csv").toString());
        assertThat(code).isEqualTo(2);
        assertThat(stderr).contains("HTTP 404").contains(server.uri("/nothing.csv").toString());
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThat(fetch("netflix")).isEqualTo(2);
        assertThat(stderr).contains("unknown dataset 'netflix'")
                .contains("beauty, sports, toys, ml-1m, ml-20m, ml-32m, yelp");
    }

    @Test
    void listsTheCatalogue() {
        assertThat(fetch("--list")).isZero();
        assertThat(stdout).contains("beauty", "sports", "toys", "ml-1m", "ml-20m", "ml-32m", "yelp")
                .contains("https://files.grouplens.org/datasets/movielens/ml-32m.zip")
                .contains("manual download");
        String withoutName = stdout;
        assertThat(fetch()).isZero();
        assertThat(stdout).isEqualTo(withoutName);
    }

    @Test
    void yelpNeedsAManualDownload() {
        assertThat(fetch("yelp", "--dir", dir.toString())).isEqualTo(2);
        assertThat(stdout).contains("https://www.yelp.com/dataset").contains("yelp_academic_dataset_review.json")
                .contains("--file");
        assertThat(server.requests.get()).isZero();
    }

    @Test
    void convertsALocalYelpReviewFile() throws IOException {
        StringBuilder json = new StringBuilder();
        for (int u = 0; u < 6; u++) {
            for (int j = 0; j < 3; j++) {
                json.append("{\"review_id\":\"r").append(u).append(j).append("\",\"user_id\":\"u").append(u)
                        .append("\",\"business_id\":\"b").append((u + j) % 4).append("\",\"stars\":")
                        .append(1 + j).append(".0,\"text\":\"good, \\\"really\\\"\\nok\",\"date\":\"2019-0")
                        .append(1 + j).append("-1").append(u).append(" 10:00:00\"}\n");
            }
        }
        Path reviews = dir.resolve("yelp_academic_dataset_review.json");
        Files.writeString(reviews, json);

        int code = fetch("yelp", "--dir", dir.toString(), "--file", reviews.toString(), "--kcore", "1");

        assertThat(code).as(stderr).isZero();
        assertThat(stderr).contains("not verified");
        assertThat(Files.readAllLines(dir.resolve("yelp.csv"))).hasSize(19)
                .startsWith("user_id,item_id,rating,timestamp", "u0,b0,1.0,2019-01-10 10:00:00");
        assertThat(Files.readAllLines(dir.resolve("yelp.txt"))).hasSize(6);
    }
}
