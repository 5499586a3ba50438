package org.seqrec.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
                + " {\"requests\": [...]}; GET /health; GET /metrics (Prometheus); POST /v1/reload {\"run\": DIR} (off unless"
                + " --admin-token-file is given).",
        "Status codes: 400 bad input, 401 reload without the right token, 403 reload from a foreign Host/Origin or of a run"
                + " outside --runs-root, 404 reload off, 405 wrong method, 408 body too slow, 413 body or work over a limit,"
                + " 415 reload not JSON, 503 overloaded. See docs/serving.md."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory to serve.")
    Path run;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on; the default is loopback only (0.0.0.0 for every interface). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64",
            description = "Most concurrent requests scored in one forward pass (1: no micro-batching). Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-wait-us", paramLabel = "US", defaultValue = "0",
            description = "How long the oldest waiting request may wait for others to join its batch, in microseconds"
                    + " (0: only those already waiting). Default: ${DEFAULT-VALUE}.")
    long maxWaitMicros;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "4096", description = "Most requests waiting; beyond it requests get 503. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "1048576", description = "Largest request body in bytes (413 beyond). Default: ${DEFAULT-VALUE}.")
    long maxBody;

    @Option(names = "--max-k", paramLabel = "N", defaultValue = "1000",
            description = "Most items one request may ask for (k; 413 beyond). Default: ${DEFAULT-VALUE}.")
    int maxK;

    @Option(names = "--max-batch-requests", paramLabel = "N", defaultValue = "1000",
            description = "Most requests in one batch call (413 beyond). Default: ${DEFAULT-VALUE}.")
    int maxBatchRequests;

    @Option(names = "--max-batch-items", paramLabel = "N", defaultValue = "100000",
            description = "Most items in one batch answer, the sum of its requests' k (413 beyond, checked before any scoring)."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxBatchItems;

    @Option(names = "--max-history-ids", paramLabel = "N", defaultValue = "100000",
            description = "Most history ids in one call, summed over a batch (413 beyond). Default: ${DEFAULT-VALUE}.")
    long maxHistoryIds;

    @Option(names = "--batch-timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "A batch still scoring after this long, or whose client has gone, is abandoned between passes (503)."
                    + " Default: ${DEFAULT-VALUE}.")
    long batchTimeoutMillis;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "A connection silent this long is closed. Default: ${DEFAULT-VALUE}.")
    long idleTimeoutMillis;

    @Option(names = "--body-timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "The whole request body must arrive within this (408 and the connection closed beyond). Default: ${DEFAULT-VALUE}.")
    long bodyTimeoutMillis;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "1000",
            description = "Most open connections; beyond it new ones wait to be accepted. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--http-threads", paramLabel = "N", defaultValue = "200",
            description = "Request threads (at least 8); at most half of them read request bodies at once, beyond that a"
                    + " request gets 503, so slow senders cannot take every thread. Default: ${DEFAULT-VALUE}.")
    int httpThreads;

    @Option(names = "--events", description = "Accept POST /v1/events: interactions appended to the run's kept user histories"
            + " (durable; the next recommendation for that user reads them). Off by default.")
    boolean events;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "Turns POST /v1/reload on: it then needs 'Authorization: Bearer TOKEN', TOKEN being this file's"
                    + " content (one line, at least 16 characters). Off by default (404).")
    Path adminTokenFile;

    @Option(names = "--admin-token-env", paramLabel = "VAR",
            description = "Like --admin-token-file, the token read from the environment variable VAR.")
    String adminTokenEnv;

    @Option(names = "--runs-root", paramLabel = "DIR",
            description = "Reload loads only run directories under DIR (symbolic links followed). Default: the parent directory of --run.")
    Path runsRoot;

    @Option(names = "--allowed-host", paramLabel = "NAME", split = ",",
            description = "More names of this server accepted in the Host and Origin headers of a reload (besides localhost,"
                    + " 127.0.0.1, [::1] and --host); e.g. the machine's name when listening on 0.0.0.0.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "Engine (PyTorch intra-op) threads; default: all cores.")
    Integer threads;

    @Override
    public Integer call() throws InterruptedException {
        if (maxBatch < 1 || maxWaitMicros < 0 || queue < 1 || maxBody < 1) {
            throw new SeqrecException("--max-batch, --queue and --max-body must be positive and --max-wait-us not negative");
        }
        if (port < 0 || port > 65535) {
            throw new SeqrecException("--port must be in 0..65535, got " + port);
        }
        if (httpThreads < 8) {
            throw new SeqrecException("--http-threads must be at least 8, got " + httpThreads);
        }
        HttpService.Limits limits = new HttpService.Limits(maxK, maxBatchRequests, maxBatchItems, maxHistoryIds, batchTimeoutMillis,
                idleTimeoutMillis, bodyTimeoutMillis, maxConnections, httpThreads);
        HttpService.Admin admin = new HttpService.Admin(token(), runsRoot, allowedHosts);
        EvalOptions.applyThreads(threads);
        RecommendService.Batching batching = maxBatch == 1 ? RecommendService.Batching.off()
                : new RecommendService.Batching(maxBatch, maxWaitMicros, queue);
        HttpService service = new HttpService(run, batching, new HttpService.Options(host, port, maxBody, 256, limits, admin, events));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stop.countDown();
        }));
        System.out.println("serving " + run + " on http://" + host + ":" + service.port() + " (Ctrl-C stops)");
        stop.await();
        return 0;
    }

    /** The admin token, from a file or an environment variable (never the command line, which ps shows); null: reload off. */
    private String token() {
        if (adminTokenFile != null && adminTokenEnv != null) {
            throw new SeqrecException("give --admin-token-file or --admin-token-env, not both");
        }
        String token;
        String from;
        if (adminTokenFile != null) {
            if (!Files.isRegularFile(adminTokenFile)) {
                throw SeqrecException.missingFile(adminTokenFile, "admin token file");
            }
            try {
                token = Files.readString(adminTokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new SeqrecException("cannot read the admin token file " + adminTokenFile + ": " + e.getMessage(), e);
            }
            from = "admin token file " + adminTokenFile;
            warnIfReadableByOthers(adminTokenFile);
        } else if (adminTokenEnv != null) {
            token = System.getenv(adminTokenEnv);
            if (token == null) {
                throw new SeqrecException("--admin-token-env " + adminTokenEnv + ": no such environment variable");
            }
            token = token.strip();
            from = "environment variable " + adminTokenEnv;
        } else {
            return null;
        }
        if (token.length() < 16 || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new SeqrecException("the " + from + " must hold one token of at least 16 printable characters, without spaces");
        }
        return token;
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("seqrec: warning: " + file + " is readable by other users (chmod 600 it)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
