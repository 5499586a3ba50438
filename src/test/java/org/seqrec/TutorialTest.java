package org.seqrec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.testutil.Fixtures.CliResult;
import org.seqrec.testutil.Fixtures;

/**
 * Runs the commands of docs/own-data.md on its fixture, in-process and with fewer epochs, and checks
 * that what the page shows for the deterministic steps (the conversion summary, the rejects file) is
 * what the code prints today.
 */
class TutorialTest {
    @TempDir Path dir;

    private static final Pattern RUN = Pattern.compile("<!-- run(?:\\(exit=(\\d+)\\))?: (.*?) -->\\n```console\\n(.*?)```\\n", Pattern.DOTALL);

    @Test
    void theTutorialRunsAsWritten() throws Exception {
        String doc = Files.readString(Path.of("docs/own-data.md"));
        Matcher m = RUN.matcher(doc);
        int seqrecCommands = 0;
        boolean checkedSummary = false;
        boolean checkedRejects = false;
        boolean recommended = false;
        String tmp = dir.toString() + "/";
        while (m.find()) {
            int expected = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
            String cmd = m.group(2);
            List<String> shown = Arrays.asList(m.group(3).split("\n"));
            assertThat(shown.get(0)).as("the block starts with the command (run docs/tutorial/render.py)").isEqualTo("$ " + cmd);
            if (cmd.startsWith("bin/seqrec ")) {
                assertThat(cmd).doesNotContain("'").doesNotContain("\"").doesNotContain("|");
                List<String> args = new ArrayList<>();
                String[] words = cmd.substring("bin/seqrec ".length()).split(" ");
                for (int k = 0; k < words.length; k++) {
                    String w = words[k].replace("runs/tutorial/", tmp);
                    if (words[k].equals("--epochs")) {
                        args.add(w);
                        args.add("2"); // small: the page shows the full run
                        k++;
                        continue;
                    }
                    args.add(w);
                }
                CliResult r = Fixtures.cli(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(cmd + "\n" + r.err()).isEqualTo(expected);
                seqrecCommands++;
                if (cmd.contains("--max-errors")) {
                    String summary = r.out().lines().filter(l -> l.startsWith("rows read")).findFirst().orElseThrow();
                    String shownSummary = shown.stream().filter(l -> l.startsWith("rows read")).findFirst().orElseThrow();
                    assertThat(summary.replace(tmp, "runs/tutorial/")).isEqualTo(shownSummary);
                    checkedSummary = true;
                }
                if (cmd.contains(" recommend ")) {
                    List<String> lines = r.out().lines().toList();
                    assertThat(lines.get(0)).isEqualTo("rank\titem\tscore");
                    assertThat(lines.subList(1, lines.size())).hasSize(5).allMatch(l -> l.matches("\\d+\tP-\\d{4}\t-?[0-9.E-]+"));
                    recommended = true;
                }
            } else if (cmd.startsWith("cut -f2-5 runs/tutorial/")) {
                Path file = Path.of(cmd.substring("cut -f2-5 ".length()).replace("runs/tutorial/", tmp));
                List<String> cut = Files.readAllLines(file).stream()
                        .map(l -> String.join("\t", Arrays.asList(l.split("\t", -1)).subList(1, 5))).toList();
                assertThat(cut).isEqualTo(shown.subList(1, shown.size()));
                checkedRejects = true;
            }
        }
        assertThat(seqrecCommands).isGreaterThanOrEqualTo(6);
        assertThat(checkedSummary && checkedRejects && recommended).isTrue();
    }
}
