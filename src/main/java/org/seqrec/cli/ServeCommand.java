package org.seqrec.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.seqrec.serve.HttpService;
import org.seqrec.serve.RecommendService;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec serve}. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Serve next-item recommendations of a run over HTTP until stopped (Ctrl-C).",
        "POST /v1/recommend {\"history\": [ids], \"k\": 10, \"exclude_seen\": true}; POST /v1/recommend/batch"
                + " {\"requests\": [...]}; GET /health; GET /metrics (Prometheus); POST /v1/reload {\"run\": DIR}."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory to serve.")
    Path run;

    @Option(names = "--port", defaultValue = "8080", description = "Port (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on; the default is loopback only (0.0.0.0 for every interface). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--max-batch", defaultValue = "64",
            description = "Most concurrent requests scored in one forward pass (1: no micro-batching). Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-wait-us", defaultValue = "0",
            description = "How long the oldest waiting request may wait for others to join its batch, in microseconds"
                    + " (0: only those already waiting). Default: ${DEFAULT-VALUE}.")
    long maxWaitMicros;

    @Option(names = "--queue", defaultValue = "4096", description = "Most requests waiting; beyond it requests get 503. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--max-body", defaultValue = "1048576", description = "Largest request body in bytes (413 beyond). Default: ${DEFAULT-VALUE}.")
    long maxBody;

    @Option(names = "--threads", paramLabel = "N", description = "Engine (PyTorch intra-op) threads; default: all cores.")
    Integer threads;

    @Override
    public Integer call() throws InterruptedException {
        if (maxBatch < 1 || maxWaitMicros < 0 || queue < 1 || maxBody < 1) {
            throw new SeqrecException("--max-batch, --queue and --max-body must be positive and --max-wait-us not negative");
        }
        EvalOptions.applyThreads(threads);
        RecommendService.Batching batching = maxBatch == 1 ? RecommendService.Batching.off()
                : new RecommendService.Batching(maxBatch, maxWaitMicros, queue);
        HttpService service = new HttpService(run, batching, new HttpService.Options(host, port, maxBody, 256));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stop.countDown();
        }));
        System.out.println("serving " + run + " on http://" + host + ":" + service.port() + " (Ctrl-C stops)");
        stop.await();
        return 0;
    }
}
