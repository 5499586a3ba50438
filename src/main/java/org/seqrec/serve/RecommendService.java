package org.seqrec.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.seqrec.Recommender;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving core without HTTP: the loaded run, micro-batched single requests, direct batch
 * requests, and {@link #reload} to another run without dropping requests in flight: each request
 * holds a reference to the model it started on, and the old model is closed when the last of them
 * finishes.
 */
public final class RecommendService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecommendService.class);

    /** How requests are grouped: {@code maxBatch} 1 scores every request alone, in its own thread. */
    public record Batching(int maxBatch, long maxWaitMicros, int queueCapacity) {
        public static Batching off() {
            return new Batching(1, 0, 1);
        }
    }

    /** A loaded run and its batcher, reference-counted. */
    public static final class Model {
        final Recommender recommender;
        final MicroBatcher batcher;
        final Path run;
        private final AtomicInteger refs = new AtomicInteger(1); // the service's own reference

        Model(Recommender recommender, MicroBatcher batcher, Path run) {
            this.recommender = recommender;
            this.batcher = batcher;
            this.run = run;
        }

        public Recommender recommender() {
            return recommender;
        }

        public Path run() {
            return run;
        }

        boolean tryAcquire() {
            for (;;) {
                int r = refs.get();
                if (r == 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0) {
                if (batcher != null) {
                    batcher.close();
                }
                recommender.close();
                LOG.info("unloaded {}", run);
            }
        }
    }

    private final AtomicReference<Model> current = new AtomicReference<>();
    private final Batching batching;
    private final IntConsumer batchSizes;
    private final long timeoutMillis;
    /** Called with the recommender before every forward pass, on the thread that runs it; a test hook (blocks a pass with a latch). */
    volatile java.util.function.Consumer<Recommender> beforeForward = r -> { };

    public RecommendService(Path run, Batching batching, IntConsumer batchSizes, long timeoutMillis) {
        this.batching = batching;
        this.batchSizes = batchSizes;
        this.timeoutMillis = timeoutMillis;
        current.set(open(run));
    }

    private Model open(Path run) {
        Recommender r = Recommender.load(run);
        MicroBatcher b = batching.maxBatch() > 1
                ? new MicroBatcher(qs -> forward(r, qs), batching.maxBatch(), batching.maxWaitMicros(), batching.queueCapacity(), batchSizes)
                : null;
        LOG.info("loaded {}: {} over {} items, reads the last {}", run, r.modelName(), r.numItems(), r.maxLen());
        return new Model(r, b, run);
    }

    private List<Recommender.Result> forward(Recommender r, List<Recommender.Query> queries) {
        beforeForward.accept(r);
        return r.recommendAll(queries);
    }

    /** Runs {@code work} on the current model, which stays loaded until it returns. */
    public <T> T withModel(java.util.function.Function<Model, T> work) {
        for (;;) {
            Model m = current.get();
            if (m.tryAcquire()) {
                try {
                    return work.apply(m);
                } finally {
                    m.release();
                }
            }
        }
    }

    /** One request, micro-batched with concurrent ones when batching is on. */
    public Recommender.Result recommend(Recommender.Query q) {
        return withModel(m -> {
            if (m.batcher == null) {
                batchSizes.accept(1);
                return forward(m.recommender, List.of(q)).get(0);
            }
            try {
                return m.batcher.submit(q).get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new SeqrecException(e.getCause().toString(), e);
            } catch (TimeoutException e) {
                throw new MicroBatcher.Overloaded(batching.queueCapacity());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SeqrecException("interrupted", e);
            }
        });
    }

    /** Work given up before it finished: its client is gone, or its deadline passed. */
    public static final class Abandoned extends RuntimeException {
        Abandoned(String message) {
            super(message);
        }
    }

    /** Many requests, scored directly in passes of at most {@code chunk} histories. */
    public List<Recommender.Result> recommendAll(List<Recommender.Query> queries, int chunk) {
        return recommendAll(queries, chunk, () -> null);
    }

    /**
     * Many requests, scored directly in passes of at most {@code chunk} histories; before each pass
     * {@code stop} is asked whether to go on: a non-null answer (the reason) abandons the rest with
     * {@link Abandoned}, so a client that left or a batch past its deadline stops costing CPU.
     */
    public List<Recommender.Result> recommendAll(List<Recommender.Query> queries, int chunk,
            java.util.function.Supplier<String> stop) {
        return withModel(m -> {
            List<Recommender.Result> out = new ArrayList<>(queries.size());
            for (int i = 0; i < queries.size(); i += chunk) {
                String reason = stop.get();
                if (reason != null) {
                    throw new Abandoned(reason + "; abandoned after " + i + " of " + queries.size() + " requests");
                }
                List<Recommender.Query> part = queries.subList(i, Math.min(queries.size(), i + chunk));
                batchSizes.accept(part.size());
                out.addAll(forward(m.recommender, part));
            }
            return out;
        });
    }

    /** Loads {@code run} and switches to it; requests already running finish on the old model. */
    public synchronized void reload(Path run) {
        Model next = open(run); // a bad run fails here, and the current model keeps serving
        Model old = current.getAndSet(next);
        old.release();
    }

    @Override
    public void close() {
        Model m = current.getAndSet(null);
        if (m != null) {
            m.release();
        }
    }
}
