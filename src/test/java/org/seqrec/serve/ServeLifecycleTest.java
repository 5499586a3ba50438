package org.seqrec.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.Recommender;
import org.seqrec.data.DataSource;
import org.seqrec.eval.Protocol;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;

/**
 * What the serving docs promise about load and reloads, checked without timing: a forward pass is
 * held on a latch (the service's {@code beforeForward} hook), so the queue fills, or a request stays
 * on the old model, exactly when the test says. Every wait is on a latch or a poll with a generous cap.
 */
class ServeLifecycleTest {
    static final long CAP_SECONDS = 60; // generous: only a broken implementation ever waits this long
    @TempDir static Path dir;
    static Path runA;
    static Path runB;

    @BeforeAll
    static void train() throws Exception {
        Progress.setEnabled(false);
        Path data = dir.resolve("cycles.txt");
        Synthetic.repeatedCycles(30, 25, 4, 6, 12, 9).writeFmlp(data);
        runA = train(data, "a", 1);
        runB = train(data, "b", 2);
    }

    static Path train(Path data, String name, long seed) {
        Path run = dir.resolve(name);
        Runs.train(TrainRequest.builder("convformer", DataSource.fmlp(data), run)
                .params(Map.of("hidden", 16, "max_len", 8, "kernel", 3, "epochs", 1, "batch", 64)).seed(seed).evaluate(false)
                .evalBatch(64).build());
        return run;
    }

    static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(CAP_SECONDS, TimeUnit.SECONDS)).as("latch released within the cap").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void pollUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(CAP_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within " + CAP_SECONDS + " s").isLessThan(end);
            Thread.sleep(5);
        }
    }

    static Recommender.Result resultOf(int used) {
        return new Recommender.Result(List.of(), List.of(), used, false);
    }

    /**
     * The batcher unit: with its worker held in a pass and the queue full, the next submit has already
     * failed with {@link MicroBatcher.Overloaded} when it returns; after the release every queued request
     * is scored, with its own result, in order.
     */
    @Test
    @Timeout(value = 3 * CAP_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a submit that waits for room hangs
    void aFullQueueRefusesTheNextRequestAtOnceAndTheQueuedOnesStillComplete() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        try (MicroBatcher b = new MicroBatcher(qs -> {
            entered.countDown();
            await(release);
            List<Recommender.Result> out = new ArrayList<>();
            qs.forEach(q -> out.add(resultOf(q.history().size())));
            return out;
        }, 8, 0, 3, batches::add)) {
            CompletableFuture<Recommender.Result> first = b.submit(query(1));
            await(entered); // the worker holds the first request in its pass; the queue is empty
            List<CompletableFuture<Recommender.Result>> queued = new ArrayList<>();
            for (int i = 2; i <= 4; i++) {
                queued.add(b.submit(query(i)));
            }
            assertThat(b.waiting()).isEqualTo(3);
            CompletableFuture<Recommender.Result> refused = b.submit(query(5));
            assertThat(refused).as("refused before submit returned").isCompletedExceptionally();
            assertThat(cause(refused)).isInstanceOf(MicroBatcher.Overloaded.class).hasMessageContaining("3 requests waiting");
            assertThat(first).isNotDone();
            assertThat(queued).noneMatch(CompletableFuture::isDone);

            release.countDown();
            assertThat(first.get(CAP_SECONDS, TimeUnit.SECONDS).used()).isEqualTo(1);
            for (int i = 0; i < queued.size(); i++) {
                assertThat(queued.get(i).get(CAP_SECONDS, TimeUnit.SECONDS).used()).isEqualTo(i + 2);
            }
            assertThat(batches).containsExactly(1, 3);
            // room again: the next request is accepted and scored
            assertThat(b.submit(query(6)).get(CAP_SECONDS, TimeUnit.SECONDS).used()).isEqualTo(6);
        } finally {
            release.countDown(); // a failed check must not leave the worker held
        }
    }

    static Recommender.Query query(int length) {
        List<String> h = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            h.add(Integer.toString(1 + i));
        }
        return new Recommender.Query(h, 3, false);
    }

    static Throwable cause(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            throw new AssertionError("not failed");
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    /**
     * Through HTTP with {@code --queue 2}: the worker is held in the forward pass of one request, two more
     * wait in the queue, and the fourth is answered 503 while the others are still held; after the
     * release the three held ones are answered 200.
     */
    @Test
    void aFullQueueIsA503OverHttpAndTheQueuedRequestsAre200AfterTheRelease() throws Exception {
        HttpService service = new HttpService(runA, new RecommendService.Batching(2, 0, 2), new HttpService.Options("127.0.0.1", 0,
                4096, 8));
        HttpClient client = HttpClient.newHttpClient();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            service.core().beforeForward = r -> {
                entered.countDown();
                await(release);
            };
            URI uri = URI.create("http://127.0.0.1:" + service.port() + "/v1/recommend");
            java.util.function.Supplier<HttpRequest> request = () -> HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(CAP_SECONDS))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"1\", \"2\"], \"k\": 3}")).build();
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            held.add(client.sendAsync(request.get(), HttpResponse.BodyHandlers.ofString()));
            await(entered);
            held.add(client.sendAsync(request.get(), HttpResponse.BodyHandlers.ofString()));
            held.add(client.sendAsync(request.get(), HttpResponse.BodyHandlers.ofString()));
            pollUntil("two requests queued", () -> service.core().withModel(m -> m.batcher.waiting()) == 2);

            // at once: well before the service's own 30 s wait for a queued request would also end in a 503
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"1\"], \"k\": 3}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            JsonNode body = Json.MAPPER.readTree(refused.body());
            assertThat(body.path("error").asText()).contains("overloaded");
            assertThat(held).as("the held requests are still waiting when the 503 comes").noneMatch(CompletableFuture::isDone);

            release.countDown();
            for (CompletableFuture<HttpResponse<String>> f : held) {
                HttpResponse<String> r = f.get(CAP_SECONDS, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Json.MAPPER.readTree(r.body()).path("items")).hasSize(3);
            }
        } finally {
            release.countDown();
            service.close();
        }
    }

    /**
     * A request running on the old model when a reload switches runs keeps the old model loaded until it
     * finishes, answers with the old run's result, and the old model is closed as soon as it returns
     * (batched and unbatched serving); with nothing in flight the old model is closed by the reload itself.
     */
    @Test
    void theOldModelIsClosedWhenItsLastRequestFinishesAfterAReload() throws Exception {
        for (RecommendService.Batching batching : new RecommendService.Batching[] {new RecommendService.Batching(4, 0, 16),
                RecommendService.Batching.off()}) {
            Recommender.Query q = new Recommender.Query(List.of("1", "2", "3"), 5, false);
            List<String> expectedA;
            List<String> expectedB;
            try (Recommender a = Recommender.load(runA); Recommender b = Recommender.load(runB)) {
                expectedA = ids(a.recommend(q.history(), q.k(), q.excludeSeen()));
                expectedB = ids(b.recommend(q.history(), q.k(), q.excludeSeen()));
            }
            assertThat(expectedA).as("the two runs answer differently, so the answer tells the model").isNotEqualTo(expectedB);

            try (RecommendService service = new RecommendService(runA, batching, n -> { }, 30_000)) {
                CountDownLatch entered = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                AtomicReference<Recommender> heldOn = new AtomicReference<>();
                service.beforeForward = r -> {
                    heldOn.set(r);
                    entered.countDown();
                    await(release);
                };
                AtomicReference<Object> answer = new AtomicReference<>();
                Thread request = new Thread(() -> {
                    try {
                        answer.set(service.recommend(q));
                    } catch (Throwable t) {
                        answer.set(t);
                    }
                });
                request.start();
                await(entered);
                Recommender old = heldOn.get();
                service.beforeForward = r -> { };

                service.reload(runB);
                assertThat(old.isOpen()).as(batching + ": the old model is open while its request runs").isTrue();
                assertThat(service.withModel(RecommendService.Model::run)).isEqualTo(runB);
                assertThat(ids(service.recommend(q))).as("new requests go to the new run").isEqualTo(expectedB);
                assertThat(old.isOpen()).isTrue();

                release.countDown();
                request.join(TimeUnit.SECONDS.toMillis(CAP_SECONDS));
                assertThat(request.isAlive()).isFalse();
                assertThat(answer.get()).isInstanceOf(Recommender.Result.class);
                assertThat(ids((Recommender.Result) answer.get())).as("the held request answered by the old run").isEqualTo(expectedA);
                assertThat(old.isOpen()).as(batching + ": the old model is closed once its last request returned").isFalse();

                // nothing in flight: the reload closes the replaced model at once
                Recommender second = service.withModel(RecommendService.Model::recommender);
                service.reload(runA);
                assertThat(second.isOpen()).isFalse();
                assertThat(ids(service.recommend(q))).isEqualTo(expectedA);
            }
        }
    }

    static List<String> ids(Recommender.Result r) {
        List<String> out = new ArrayList<>();
        r.items().forEach(i -> out.add(i.id()));
        return out;
    }
}
