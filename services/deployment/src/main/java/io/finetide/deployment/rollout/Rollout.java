package io.finetide.deployment.rollout;

import java.util.concurrent.atomic.AtomicLong;

import io.finetide.proto.v1.RolloutStage;

/**
 * One task's rollout as this replica follows it: the candidate, the champion it is measured against, its stage, and
 * what the stage has seen here (requests scored or answered, feedback taken since the stage began).
 */
final class Rollout {

    private final String task;
    private final String candidateId;
    private final String championId;
    private final double canaryShare;
    private volatile RolloutStage stage;
    /** The candidate's feedback count when the stage began: the stage's feedback is the count since. */
    private volatile long feedbackBaseline;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong agreed = new AtomicLong();
    private final AtomicLong compared = new AtomicLong();

    Rollout(String task, String candidateId, String championId, double canaryShare, RolloutStage stage,
            long feedbackBaseline) {
        this.task = task;
        this.candidateId = candidateId;
        this.championId = championId;
        this.canaryShare = canaryShare;
        this.stage = stage;
        this.feedbackBaseline = feedbackBaseline;
    }

    synchronized void enter(RolloutStage next, long baseline) {
        stage = next;
        feedbackBaseline = baseline;
        requests.set(0);
    }

    void counted() {
        requests.incrementAndGet();
    }

    void shadowed(int agreedTexts, int texts) {
        agreed.addAndGet(agreedTexts);
        compared.addAndGet(texts);
        requests.incrementAndGet();
    }

    /** The share of texts scored in shadow on which the candidate gave the champion's label; NaN before any. */
    double agreement() {
        long n = compared.get();
        return n == 0 ? Double.NaN : (double) agreed.get() / n;
    }

    String task() {
        return task;
    }

    String candidateId() {
        return candidateId;
    }

    String championId() {
        return championId;
    }

    double canaryShare() {
        return canaryShare;
    }

    RolloutStage stage() {
        return stage;
    }

    long feedbackBaseline() {
        return feedbackBaseline;
    }

    long requests() {
        return requests.get();
    }
}
