package org.seqrec.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.seqrec.eval.Protocol;
import org.seqrec.report.Report;
import org.seqrec.report.ReportJson;
import org.seqrec.report.ReportSpec;
import org.seqrec.report.RunRecord;
import org.seqrec.report.RunTables;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec report}. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Tabulate the test metrics of several runs under one protocol, optionally beside a paper's figures.")
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, split = ",", arity = "1..*", paramLabel = "DIR", description = "Run directories.")
    List<Path> runs;

    @Option(names = "--protocol", paramLabel = "PROTOCOL", defaultValue = "sampled", description = "sampled, uni100 or full. Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = "--paper", paramLabel = "FILE", description = "Reference figures, e.g. bench/paper/convformer.json.")
    Path paper;

    @Option(names = "--paper-section", paramLabel = "PATH", defaultValue = ReportSpec.DEFAULT_PAPER_SECTION,
            description = "Where in the reference file a dataset's models are: keys separated by /, with {protocol} and {dataset}"
                    + " filled in (the SAR study: sar_study/{dataset}/layers=2). Default: ${DEFAULT-VALUE}.")
    String paperSection;

    @Option(names = "--baseline", paramLabel = "MODEL", description = "Compare every other model with this one over matched seeds (mean difference, paired t-test).")
    String baseline;

    @Option(names = "--out", paramLabel = "PREFIX", description = "Write PREFIX.json and PREFIX.md (default: print Markdown only).")
    Path out;

    @Option(names = "--json", description = "Print JSON on stdout instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        Protocol p = Protocol.parse(protocol);
        Report.Result report = Report.compute(runs.stream().map(r -> RunRecord.read(r, p)).toList(),
                ReportSpec.runs(paper, paperSection, baseline));
        String md = RunTables.markdown(report);
        if (out != null) {
            Json.write(Path.of(out + ".json"), ReportJson.runs(report));
            AtomicFiles.writeString(Path.of(out + ".md"), md);
        }
        System.out.print(json ? ReportJson.runs(report).toPrettyString() + "\n" : md);
        return 0;
    }
}
