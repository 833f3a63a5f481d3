package io.finetide.deployment.rollout;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Where a candidate in shadow scores its copies of live requests: one thread with a bounded queue, off the request
 * path, so a slow or failing candidate costs the caller nothing (a full queue drops the copy, counted); and the
 * candidate's labels, remembered by the champion's prediction id so that feedback on the champion's answer also
 * judges the candidate's. The memory is this replica's: feedback on a prediction another replica answered finds
 * nothing here.
 */
@ApplicationScoped
public class ShadowScoring {

    /** The candidate's label for a text the champion answered. */
    public record ShadowAnswer(String candidateId, String label) {
    }

    static final int QUEUE = 1024;
    static final int REMEMBERED = 100_000;

    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "shadow-scoring");
                t.setDaemon(true);
                return t;
            });

    private final Map<String, ShadowAnswer> answers = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ShadowAnswer> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** @return false when the queue is full and the copy was dropped */
    boolean submit(Runnable scoring) {
        try {
            executor.execute(scoring);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    synchronized void remember(String championPredictionId, ShadowAnswer answer) {
        answers.put(championPredictionId, answer);
    }

    /** The candidate's label for the champion's prediction, once: a replayed feedback event finds nothing. */
    synchronized Optional<ShadowAnswer> take(String championPredictionId) {
        return Optional.ofNullable(answers.remove(championPredictionId));
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }
}
