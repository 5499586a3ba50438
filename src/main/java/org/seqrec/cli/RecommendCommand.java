package org.seqrec.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.seqrec.Recommender;
import org.seqrec.serve.HttpService;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec recommend}. */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = "Top-k next items for a history, or for a user the run keeps a history for, in original ids.")
final class RecommendCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
    Path run;

    @Option(names = "--history", split = ",", paramLabel = "ITEM,ITEM,...",
            description = "The user's items, oldest first, in original ids (or --user).")
    List<String> history;

    @Option(names = "--user", paramLabel = "USER",
            description = "A user id of the run's data: recommend after the history the run keeps for it (or --history).")
    String user;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10", description = "How many items. Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(names = "--exclude-seen", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Never recommend an item of the history (--no-exclude-seen allows them). Default: ${DEFAULT-VALUE}.")
    boolean excludeSeen;

    @Option(names = "--json", description = "Print JSON on stdout instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        try (Recommender r = Recommender.load(run)) {
            if ((history == null) == (user == null)) {
                throw new SeqrecException("give --history ITEMS or --user USER (one of them)");
            }
            List<String> used = user != null ? r.knownHistory(user) : history;
            Recommender.Query query = new Recommender.Query(used, k, excludeSeen, user);
            Recommender.Result res = r.recommendAll(List.of(query)).get(0);
            if (json) { // the HTTP answer's shape
                System.out.println(HttpService.result(query, res).toPrettyString());
                return 0;
            }
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
