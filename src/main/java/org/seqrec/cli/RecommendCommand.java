package org.seqrec.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.seqrec.Recommender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec recommend}. */
@Command(name = "recommend", mixinStandardHelpOptions = true, description = "Top-k next items for a history, in original item ids.")
final class RecommendCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
    Path run;

    @Option(names = "--history", required = true, split = ",", paramLabel = "ITEM,ITEM,...",
            description = "The user's items, oldest first, in original ids.")
    List<String> history;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "How many items. Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--exclude-seen", description = "Never recommend an item of the history.")
    boolean excludeSeen;

    @Override
    public Integer call() {
        try (Recommender r = Recommender.load(run)) {
            Recommender.Result res = r.recommend(history, k, excludeSeen);
            if (!res.unknown().isEmpty()) {
                System.err.println("ignored unknown item id(s): " + String.join(",", res.unknown()));
            }
            System.out.println("rank\titem\tscore");
            for (int i = 0; i < res.items().size(); i++) {
                Recommender.Item it = res.items().get(i);
                System.out.println((i + 1) + "\t" + it.id() + "\t" + it.score());
            }
        }
        return 0;
    }
}
