package io.finetide.deployment.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jboss.logging.Logger;

/**
 * One task's waiting requests of one kind and the threads that run them together: a thread takes the oldest request, adds
 * the requests behind it while they fit in {@code maxBatchSize} items and the oldest has waited less than
 * {@code maxQueueDelay}, runs them as one call and gives each request its own slice of the answer; up to
 * {@code concurrency} batches run at once, so that a small batch does not leave cores idle. The model sorts
 * the combined items by length before padding, so each answer is the one the request would get alone (to float rounding).
 *
 * @param <I> an item of a request (a text, or a sentence's words)
 * @param <O> the model's answer for one item
 */
final class BatchQueue<I, O> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BatchQueue.class);

    /** What a batch came back with: the model that answered and one answer per item, in order. */
    record Answered<O>(String modelId, int version, List<String> labels, List<O> results) {
    }

    /** What the batch's observer is told of each batch run. */
    interface Observer {
        void ran(int items, int requests, long oldestWaitNanos);
    }

    private record Pending<I, O>(List<I> items, CompletableFuture<Optional<Answered<O>>> answer, long enqueued) {
    }

    private final LinkedBlockingQueue<Pending<I, O>> waiting = new LinkedBlockingQueue<>();
    private final AtomicInteger waitingItems = new AtomicInteger();
    private final Function<List<I>, Optional<Answered<O>>> model;
    private final BatchingPolicy policy;
    private final Observer observer;
    private final List<Thread> workers = new ArrayList<>();
    /** One batch is formed at a time; the batches formed run side by side, one per worker. */
    private final Object forming = new Object();
    private volatile boolean open = true;
    /** A request taken from the queue that did not fit in the batch being formed: the next batch starts with it. */
    private Pending<I, O> carried;

    BatchQueue(String name, BatchingPolicy policy, Function<List<I>, Optional<Answered<O>>> model,
            Observer observer) {
        this.policy = policy;
        this.model = model;
        this.observer = observer;
        for (int i = 0; i < policy.concurrency(); i++) {
            Thread worker = new Thread(this::run, "batcher-" + name + "-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    /**
     * Queues a request.
     *
     * @throws QueueFullException when its items would take the queue past its capacity
     */
    CompletableFuture<Optional<Answered<O>>> submit(List<I> items) {
        int after = waitingItems.addAndGet(items.size());
        if (after > policy.queueCapacity() && after != items.size()) {
            waitingItems.addAndGet(-items.size());
            throw new QueueFullException(after - items.size(), policy.queueCapacity());
        }
        if (!open) {
            waitingItems.addAndGet(-items.size());
            throw new IllegalStateException("serving is shutting down");
        }
        CompletableFuture<Optional<Answered<O>>> answer = new CompletableFuture<>();
        waiting.add(new Pending<>(List.copyOf(items), answer, System.nanoTime()));
        return answer;
    }

    /** Items waiting, not yet in a running batch. */
    int waitingItems() {
        return waitingItems.get();
    }

    private void run() {
        while (open) {
            List<Pending<I, O>> batch;
            try {
                synchronized (forming) {
                    batch = nextBatch();
                }
            } catch (InterruptedException e) {
                break;
            }
            answer(batch);
        }
        synchronized (forming) {
            failWaiting();
        }
    }

    private List<Pending<I, O>> nextBatch() throws InterruptedException {
        Pending<I, O> first = carried != null ? carried : waiting.take();
        carried = null;
        List<Pending<I, O>> batch = new ArrayList<>();
        batch.add(first);
        int items = first.items().size();
        long deadline = first.enqueued() + policy.maxQueueDelay().toNanos();
        while (items < policy.maxBatchSize()) {
            long left = deadline - System.nanoTime();
            Pending<I, O> next = left > 0 ? waiting.poll(left, TimeUnit.NANOSECONDS) : waiting.poll();
            if (next == null) {
                break;
            }
            if (items + next.items().size() > policy.maxBatchSize()) {
                carried = next;
                break;
            }
            batch.add(next);
            items += next.items().size();
        }
        return batch;
    }

    private void answer(List<Pending<I, O>> batch) {
        List<I> items = new ArrayList<>();
        for (Pending<I, O> p : batch) {
            items.addAll(p.items());
        }
        waitingItems.addAndGet(-items.size());
        observer.ran(items.size(), batch.size(), System.nanoTime() - batch.get(0).enqueued());
        Optional<Answered<O>> answered;
        try {
            answered = model.apply(items);
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.answer().completeExceptionally(e));
            if (e instanceof Error error) {
                LOG.errorf(error, "batch of %d items failed", items.size());
            }
            return;
        }
        int from = 0;
        for (Pending<I, O> p : batch) {
            int to = from + p.items().size();
            int start = from;
            p.answer().complete(answered.map(a -> new Answered<>(a.modelId(), a.version(), a.labels(), List.copyOf(a
                    .results().subList(start, to)))));
            from = to;
        }
    }

    private void failWaiting() {
        IllegalStateException closing = new IllegalStateException("serving is shutting down");
        if (carried != null) {
            carried.answer().completeExceptionally(closing);
            carried = null;
        }
        for (Pending<I, O> p; (p = waiting.poll()) != null;) {
            p.answer().completeExceptionally(closing);
        }
    }

    @Override
    public void close() {
        open = false;
        workers.forEach(Thread::interrupt);
    }
}
