package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures.CliResult;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.SeqrecException;

/** The ingestion error policy (--max-errors, --rejects, the summary), delimiter detection and --time-format. */
class IngestionPolicyTest {
    @TempDir Path dir;

    /**
     * Two users, three items, and three bad rows at lines 4 (timestamp), 6 (too few columns) and 8 (empty
     * item id). Line 1 is the header.
     */
    private static final String MESSY = "user_id,item_id,timestamp\n" // 1
            + "u1,a,3\n" // 2
            + "u1,b,1\n" // 3
            + "u1,c,yesterday\n" // 4
            + "u2,a,5\n" // 5
            + "u2\n" // 6
            + "u1,c,2\n" // 7
            + "u2,,6\n" // 8
            + "u2,b,4\n" // 9
            + "u2,c,7\n"; // 10

    @Test
    void convertSkipsUpToMaxErrorsAndWritesTheRejects() throws IOException {
        Path log = Fixtures.write(dir, "clicks.csv", MESSY);
        Path out = dir.resolve("shop.txt");
        CliResult r = Fixtures.cli("data", "convert", "--data", log.toString(), "--out", out.toString(), "--kcore", "1",
                "--max-errors", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // kept rows by time: u1: b(1) c(2) a(3); u2: b(4) a(5) c(7); items numbered by first appearance
        // in that order: b=1, c=2, a=3; users in order of their first row: u1=1, u2=2
        assertThat(Files.readString(out)).isEqualTo("1 1 2 3\n2 1 3 2\n");
        assertThat(r.out()).contains("rows read 9, kept 6, rejected 3 (bad-timestamp 1, empty-id 1, missing-column 1)");
        Path rejects = dir.resolve("shop.rejects.tsv");
        assertThat(r.out()).contains(rejects.toString());
        assertThat(Files.readAllLines(rejects)).containsExactly(
                "file\tline\treason\tmessage\traw",
                log + "\t4\tbad-timestamp\ttimestamp 'yesterday' is neither a number nor an ISO-8601 date (use --time-format PATTERN, or --time-col none to keep file order)\tu1,c,yesterday",
                log + "\t6\tmissing-column\texpected a item in column 1 but the row has only 1 column(s)\tu2",
                log + "\t8\tempty-id\tempty user or item id\tu2,,6");
    }

    @Test
    void oneBadRowMoreThanAllowedAbortsNamingTheLine() throws IOException {
        Path log = Fixtures.write(dir, "clicks.csv", MESSY);
        Path out = dir.resolve("shop.txt");
        CliResult r = Fixtures.cli("data", "convert", "--data", log.toString(), "--out", out.toString(), "--kcore", "1",
                "--max-errors", "2");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(log + ":8: empty user or item id; more than 2 bad rows (--max-errors 2), aborted");
        assertThat(Files.exists(out)).isFalse();
        assertThat(Files.readAllLines(dir.resolve("shop.rejects.tsv"))).hasSize(4); // header + the three seen
        // the default stays strict: the first bad row aborts
        CliResult strict = Fixtures.cli("data", "convert", "--data", log.toString(), "--out", out.toString(), "--kcore", "1");
        assertThat(strict.exitCode()).isEqualTo(2);
        assertThat(strict.err()).contains(log + ":4: timestamp 'yesterday'");
    }

    @Test
    void noRejectsFileWhenNothingIsRejected() {
        Path log = Fixtures.write(dir, "ok.csv", "user_id,item_id,timestamp\nu1,a,1\nu1,b,2\n");
        CliResult r = Fixtures.cli("data", "convert", "--data", log.toString(), "--out", dir.resolve("ok.txt").toString(),
                "--kcore", "1", "--max-errors", "5");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("rows read 2, kept 2, rejected 0");
        assertThat(Files.exists(dir.resolve("ok.rejects.tsv"))).isFalse();
    }

    @Test
    void rawLinesWithTabsAndQuotedNewlinesAreEscaped() throws IOException {
        // line 3 is a record whose quoted item spans lines 3-4 and holds a newline: rejected as a control character
        Path log = Fixtures.write(dir, "q.csv", "user_id,item_id,timestamp\nu1,a,1\nu1,\"b\nc\",2\nu1,d\t,3\nu1,e,x\\y\n");
        Path rej = dir.resolve("r.tsv");
        RowErrors errors = new RowErrors(5, rej);
        DataSource src = new DataSource(log.toString(), "csv", null, null, null, null, null, null, 1, Double.NaN);
        InteractionLog read = LogReader.read(log, src.logFormat(), errors);
        assertThat(read.size()).isEqualTo(2); // a, and d (the trailing tab is trimmed)
        assertThat(errors.byReason()).containsOnlyKeys(RowErrors.CONTROL, RowErrors.TIME);
        assertThat(Files.readAllLines(rej)).hasSize(3);
        assertThat(Files.readAllLines(rej).get(1)).startsWith(log + "\t3\tcontrol-character\t").endsWith("\tu1,\"b\\nc\",2");
        assertThat(Files.readAllLines(rej).get(2)).endsWith("\t6\tbad-timestamp\ttimestamp 'x\\\\y' is neither a number nor an ISO-8601 date"
                + " (use --time-format PATTERN, or --time-col none to keep file order)\tu1,e,x\\\\y");
    }

    @Test
    void delimiterIsDetectedFromTheHeader() {
        for (String d : new String[] {";", "|", "\t"}) {
            Path log = Fixtures.write(dir, "sep.csv", String.join(d, "user_id", "item_id", "timestamp") + "\n"
                    + String.join(d, "u1", "a,x", "2") + "\n" + String.join(d, "u1", "b", "1") + "\n");
            Dataset data = new DataSource(log.toString(), "auto", null, null, null, null, null, null, 1, Double.NaN).load();
            assertThat(data.numUsers()).as(d).isEqualTo(1);
            assertThat(data.itemMap().original(data.sequence(0)[0])).as(d).isEqualTo("b");
            assertThat(data.itemMap().original(data.sequence(0)[1])).as(d).isEqualTo("a,x");
        }
        assertThat(LogReader.sniffDelimiter("\"a;b\",c")).isEqualTo(",");
        assertThat(LogReader.sniffDelimiter("single")).isNull();
    }

    @Test
    void aWrongDelimiterNamesTheLikelyOne() {
        Path log = Fixtures.write(dir, "semi.csv", "user_id;item_id;timestamp\nu1;a;1\n");
        CliResult r = Fixtures.cli("data", "convert", "--data", log.toString(), "--out", dir.resolve("x.txt").toString(),
                "--delimiter", ",");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("the first line looks semicolon-separated: try --delimiter ';'");
        Path headerless = Fixtures.write(dir, "semi2.csv", "u1;a;1\nu1;b;2\n");
        assertThatThrownBy(() -> LogReader.read(headerless, LogFormat.preset("csv").withHeader(false)))
                .isInstanceOf(SeqrecException.class)
                .hasMessageStartingWith(headerless + ":1: expected a item in column 1 but the row has only 1 column(s)")
                .hasMessageContaining("try --delimiter ';'");
    }

    @Test
    void timeFormatPatternsAndEpochUnits() {
        // 2020-01-01T00:00Z is 1577836800 s (18262 days * 86400)
        assertThat(new TimeParser("dd/MM/yyyy HH:mm").parse("01/01/2020 00:10")).isEqualTo(18262 * 86400.0 + 600);
        assertThat(new TimeParser("dd/MM/yyyy").parse("02/01/2020")).isEqualTo(18263 * 86400.0);
        assertThat(new TimeParser("epoch-ms").parse("1500")).isEqualTo(1.5);
        assertThatThrownBy(() -> new TimeParser("dd/MM/yyyy").parse("2020-01-01")).isInstanceOf(RowErrors.BadRow.class)
                .hasMessageContaining("does not match --time-format 'dd/MM/yyyy'");
        assertThatThrownBy(() -> new TimeParser("yyyy-bogus-{")).isInstanceOf(SeqrecException.class);
        Path log = Fixtures.write(dir, "d.csv", "user_id,item_id,timestamp\nu1,a,02/01/2020\nu1,b,01/01/2020\n");
        CliResult r = Fixtures.cli("data", "convert", "--data", log.toString(), "--out", dir.resolve("d.txt").toString(),
                "--kcore", "1", "--time-format", "dd/MM/yyyy");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }
}
