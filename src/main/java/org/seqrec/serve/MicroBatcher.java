package org.seqrec.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.seqrec.Recommender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups concurrent recommendation requests into one forward pass. One worker thread takes the
 * oldest waiting request, then every request that arrives within {@code maxWait} of it (0: only
 * those already waiting), up to {@code maxBatch}, and scores them together. The queue is bounded:
 * when it is full a request fails at once with {@link Overloaded} instead of waiting without bound.
 * {@link #close} scores what is still queued, then stops the worker.
 */
public final class MicroBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /** The queue is full. */
    public static final class Overloaded extends RuntimeException {
        Overloaded(int capacity) {
            super("the server is overloaded (" + capacity + " requests waiting); retry later");
        }
    }

    private record Pending(Recommender.Query query, CompletableFuture<Recommender.Result> future) {}

    private final Function<List<Recommender.Query>, List<Recommender.Result>> scorer;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final int capacity;
    private final BlockingQueue<Pending> queue;
    private final IntConsumer batchSizes;
    private final Thread worker;
    private volatile boolean closed;

    /**
     * @param scorer scores a list of queries in one pass (one result per query, in order)
     * @param batchSizes told the size of every batch scored (metrics)
     */
    public MicroBatcher(Function<List<Recommender.Query>, List<Recommender.Result>> scorer, int maxBatch, long maxWaitMicros,
            int capacity, IntConsumer batchSizes) {
        if (maxBatch < 1 || maxWaitMicros < 0 || capacity < 1) {
            throw new IllegalArgumentException("maxBatch and capacity must be positive, maxWait not negative");
        }
        this.scorer = scorer;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWaitMicros * 1000;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSizes = batchSizes;
        this.worker = new Thread(this::run, "seqrec-batcher");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues one request; the future completes with its result, or with the scorer's exception. */
    public CompletableFuture<Recommender.Result> submit(Recommender.Query query) {
        CompletableFuture<Recommender.Result> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("the model is being unloaded"));
        } else if (!queue.offer(new Pending(query, f))) {
            f.completeExceptionally(new Overloaded(capacity));
        }
        return f;
    }

    /** Requests waiting in the queue, not yet taken by the worker (for tests). */
    int waiting() {
        return queue.size();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Pending next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                score(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("micro-batch worker", e); // score() completes every future; keep serving
            } finally {
                batch.clear();
            }
        }
    }

    private void score(List<Pending> batch) {
        batchSizes.accept(batch.size());
        List<Recommender.Query> queries = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            queries.add(p.query());
        }
        try {
            List<Recommender.Result> results = scorer.apply(queries);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).future().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).future().completeExceptionally(e);
                return;
            }
            for (Pending p : batch) { // one bad query must not fail the others: score them alone
                try {
                    p.future().complete(scorer.apply(List.of(p.query())).get(0));
                } catch (RuntimeException single) {
                    p.future().completeExceptionally(single);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
