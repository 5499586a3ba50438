package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures;
import org.seqrec.util.SeqrecException;

class LogReaderTest {
    @TempDir Path dir;

    private static DataSource source(Path f, String format) {
        return new DataSource(f.toString(), format, null, null, null, null, null, null, 1, Double.NaN);
    }

    @Test
    void csvWithHeaderAndQuotedFields() {
        Path f = Fixtures.write(dir, "log.csv", "user_id,item_id,timestamp,rating\n"
                + "\"u,1\",a,3,5\n" + "\"u,1\",b,1,4\n" + "u2,a,2,3\n");
        InteractionLog log = LogReader.read(f, source(f, "csv").logFormat());
        assertThat(log.size()).isEqualTo(3);
        assertThat(log.userName(0)).isEqualTo("u,1");
        assertThat(log.rating(1)).isEqualTo(4f);
        Dataset d = source(f, "auto").load();
        assertThat(d.sequence(0)).containsExactly(1, 2); // b (t=1) before a (t=3)
        assertThat(d.itemMap().original(1)).isEqualTo("b");
    }

    @Test
    void headerlessCustomColumnsAndDelimiter() {
        Path f = Fixtures.write(dir, "log.txt", "1700000000;x;item9;u7\n1600000000;x;item3;u7\n");
        LogFormat lf = LogFormat.preset("csv").withDelimiter(";").withHeader(false).withColumns("3", "2", "0", null);
        InteractionLog log = LogReader.read(f, lf);
        assertThat(log.userName(log.user(0))).isEqualTo("u7");
        assertThat(log.itemName(log.item(0))).isEqualTo("item9");
        assertThat(log.time(1)).isEqualTo(1.6e9);
    }

    @Test
    void isoTimestampsAndFileOrder() {
        Path f = Fixtures.write(dir, "d.tsv", "user_id\titem_id\ttimestamp\nu\ta\t2020-01-02 10:00:00\nu\tb\t2020-01-01\n");
        Dataset d = source(f, "auto").load();
        assertThat(d.itemMap().original(d.sequence(0)[0])).isEqualTo("b");
        DataSource noTime = new DataSource(f.toString(), "tsv", null, null, null, null, "none", null, 1, Double.NaN);
        Dataset keep = noTime.load();
        assertThat(keep.itemMap().original(keep.sequence(0)[0])).isEqualTo("a");
    }

    @Test
    void recboleTypedHeader() {
        Path f = Fixtures.write(dir, "ml.inter",
                "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4.0\t978300760\n1\t20\t5.0\t978300000\n");
        Dataset d = source(f, "auto").load();
        assertThat(d.numItems()).isEqualTo(2);
        assertThat(d.itemMap().original(d.sequence(0)[0])).isEqualTo("20");
    }

    @Test
    void movielensDat() {
        Path f = Fixtures.write(dir, "ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
        InteractionLog log = LogReader.read(f, source(f, "auto").logFormat());
        assertThat(log.size()).isEqualTo(3);
        assertThat(log.itemName(log.item(1))).isEqualTo("661");
        assertThat(log.rating(0)).isEqualTo(5f);
        assertThat(log.time(2)).isEqualTo(978298413.0);
    }

    @Test
    void amazonRatingsCsv() {
        Path f = Fixtures.write(dir, "ratings_Beauty.csv", "A39HTATAQ9V7YF,0205616461,5.0,1369699200\nA3JM6GV9MNOF9X,0558925278,3.0,1355443200\n");
        InteractionLog log = LogReader.read(f, LogFormat.preset("amazon"));
        assertThat(log.userName(0)).isEqualTo("A39HTATAQ9V7YF");
        assertThat(log.itemName(1)).isEqualTo("0558925278");
        assertThat(log.time(1)).isEqualTo(1355443200.0);
    }

    @Test
    void errorsNameFileAndLine() {
        Path f = Fixtures.write(dir, "bad.csv", "user_id,item_id,timestamp\nu,a,1\nu,b\n");
        assertThatThrownBy(() -> source(f, "csv").load()).isInstanceOf(SeqrecException.class)
                .hasMessageContaining(f + ":3:").hasMessageContaining("timestamp");
        Path g = Fixtures.write(dir, "badtime.csv", "user_id,item_id,timestamp\nu,a,yesterday\n");
        assertThatThrownBy(() -> source(g, "csv").load()).hasMessageContaining(g + ":2:").hasMessageContaining("yesterday");
        Path h = Fixtures.write(dir, "cols.csv", "user,item,time\nu,a,1\n");
        assertThatThrownBy(() -> source(h, "csv").load()).hasMessageContaining("no user column named 'user_id'");
        Path e = Fixtures.write(dir, "empty.csv", "user_id,item_id,timestamp\n");
        assertThatThrownBy(() -> source(e, "csv").load()).hasMessageContaining("empty dataset");
        assertThatThrownBy(() -> source(dir.resolve("missing.csv"), "csv").load()).hasMessageContaining("not found");
        Path r = Fixtures.write(dir, "rate.csv", "user_id,item_id,timestamp,rating\nu,a,1,good\n");
        assertThatThrownBy(() -> source(r, "csv").load()).hasMessageContaining(r + ":2:").hasMessageContaining("'good'");
    }

    /** Issue 16: an id with a newline or tab (quoted CSV) would train but break item_map.tsv for every later command. */
    @Test
    void idsWithControlCharactersAreRefusedWithFileAndLine() {
        Path nl = Fixtures.write(dir, "nl.csv", "user_id,item_id,timestamp\nu1,a,1\nu1,\"b\nc\",2\n");
        assertThatThrownBy(() -> LogReader.read(nl, source(nl, "csv").logFormat())).isInstanceOf(SeqrecException.class)
                .hasMessageStartingWith(nl + ":3:").hasMessageContaining("item id").hasMessageContaining("U+000A");
        Path tab = Fixtures.write(dir, "tab.csv", "user_id,item_id,timestamp\nu1,a,1\n\"u\t2\",b,2\n");
        assertThatThrownBy(() -> LogReader.read(tab, source(tab, "csv").logFormat())).hasMessageStartingWith(tab + ":3:")
                .hasMessageContaining("user id").hasMessageContaining("U+0009");
    }

    /** A UTF-8 byte-order mark (Excel) is not part of the first column's name. */
    @Test
    void aByteOrderMarkBeforeTheHeaderIsSkipped() {
        Path f = Fixtures.write(dir, "bom.csv", "\uFEFFuser_id,item_id,timestamp\nu1,a,2\nu1,b,1\n");
        InteractionLog log = LogReader.read(f, source(f, "csv").logFormat());
        assertThat(log.size()).isEqualTo(2);
        assertThat(log.userName(0)).isEqualTo("u1");
        Path headerless = Fixtures.write(dir, "bom.txt", "\uFEFFu1;a;2\n");
        LogFormat lf = LogFormat.preset("csv").withDelimiter(";").withHeader(false).withColumns("0", "1", "2", null);
        assertThat(LogReader.read(headerless, lf).userName(0)).isEqualTo("u1");
    }

    @Test
    void errorsSayWhatIsWrongWithTheFile() throws Exception {
        Path d = java.nio.file.Files.createDirectories(dir.resolve("adir.csv"));
        assertThatThrownBy(() -> LogReader.read(d, source(d, "csv").logFormat())).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> FmlpReader.read(d)).hasMessageContaining("is a directory");
        Path big = Fixtures.write(dir, "big.txt", "u1 1 2 3000000000\n");
        assertThatThrownBy(() -> FmlpReader.read(big)).hasMessageStartingWith(big + ":1:").hasMessageContaining("out of range");
    }

    /** Sparsity counts distinct (user, item) pairs: never negative when users repeat items. */
    @Test
    void sparsityIsNeverNegativeWithRepeatedItems() {
        Dataset d = new Dataset("rep", java.util.List.of("u1", "u2"), java.util.List.of(new int[] {1, 1, 1, 1, 2}, new int[] {1, 2, 2, 2}),
                2, null, null);
        DatasetStats s = DatasetStats.of(d);
        assertThat(s.actions()).isEqualTo(9);
        assertThat(s.sparsity()).isEqualTo(0.0); // every user met both items: 4 pairs of 2 x 2
        Dataset half = new Dataset("half", java.util.List.of("u1", "u2"), java.util.List.of(new int[] {1, 1, 1}, new int[] {2, 2}),
                2, null, null);
        assertThat(DatasetStats.of(half).sparsity()).isEqualTo(0.5);
    }

    @Test
    void isoTimestampsWithOffsetAndDateOnlyToEpochSeconds() {
        // by hand: 2020-01-01T00:00Z is 1577836800; +01:00 is an hour earlier; 2020-01-02 is a day later
        assertThat(LogReader.parseTime(dir, 1, "2020-01-01T00:00:00+01:00")).isEqualTo(1577833200.0);
        assertThat(LogReader.parseTime(dir, 1, "2020-01-02")).isEqualTo(1577923200.0);
        assertThat(LogReader.parseTime(dir, 1, "2020-01-01 00:00:10")).isEqualTo(1577836810.0);
        assertThatThrownBy(() -> LogReader.parseTime(dir, 4, "yesterday")).hasMessageContaining(":4:")
                .hasMessageContaining("'yesterday'");
    }

    @Test
    void ratingInTheFirstColumnAndWhitespaceOnlyLines() {
        Path f = Fixtures.write(dir, "r0.csv", "5,u,a,1\n   \n2.5,u,b,2\n");
        InteractionLog log = LogReader.read(f, new LogFormat("csv", ",", false, "1", "2", "3", "0"));
        assertThat(log.size()).isEqualTo(2);
        assertThat(log.rating(0)).isEqualTo(5f);
        assertThat(log.rating(1)).isEqualTo(2.5f);
        assertThat(log.time(1)).isEqualTo(2.0);
    }

    @Test
    void headerColumnsByIndexByNameWithColonsAndMissing() {
        // a column given by index in a file with a header
        Path f = Fixtures.write(dir, "h.csv", "who,what,when\nu,a,7\n");
        InteractionLog log = LogReader.read(f, new LogFormat("csv", ",", true, "0", "what", "2", null));
        assertThat(log.userName(log.user(0))).isEqualTo("u");
        assertThat(log.time(0)).isEqualTo(7.0);
        // a name that starts with ':' is not a RecBole 'name:type'
        Path c = Fixtures.write(dir, "c.csv", "user_id,item_id,:ts\nu,a,9\n");
        assertThat(LogReader.read(c, new LogFormat("csv", ",", true, "user_id", "item_id", ":ts", null)).time(0)).isEqualTo(9.0);
        // with a '::' delimiter a ':' inside a header name is part of the name
        Path m = Fixtures.write(dir, "m.dat", "u:id::item::t\nu1::a::3\n");
        InteractionLog ml = LogReader.read(m, new LogFormat("movielens", "::", true, "u:id", "item", "t", null));
        assertThat(ml.userName(ml.user(0))).isEqualTo("u1");
        // a missing time column suggests 'none', a missing item column does not
        assertThatThrownBy(() -> LogReader.read(f, new LogFormat("csv", ",", true, "who", "what", "ts", null)))
                .hasMessageContaining("no time column named 'ts'").hasMessageContaining("or 'none'");
        assertThatThrownBy(() -> LogReader.read(f, new LogFormat("csv", ",", true, "who", "it", "when", null)))
                .hasMessageContaining("no item column named 'it'").hasMessageNotContaining("'none'");
    }

    @Test
    void gzipCompressedLogReadsLikeThePlainOne() throws java.io.IOException {
        String text = "user_id,item_id,timestamp\nu,a,2\nu,b,1\nv,a,3\n";
        Path gz = dir.resolve("log.csv.gz");
        try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(gz))) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        InteractionLog log = LogReader.read(gz, LogFormat.preset("csv"));
        assertThat(log.size()).isEqualTo(3);
        assertThat(log.itemName(log.item(1))).isEqualTo("b");
        assertThat(log.time(2)).isEqualTo(3.0);
        assertThat(log.userName(log.user(2))).isEqualTo("v");
    }
}
