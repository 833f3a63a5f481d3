package io.finetide.evaluation.gate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.evaluation.config.EvaluationConfig;
import io.finetide.evaluation.judging.JudgedModel;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.proto.v1.ModelPromotedEvent;

/**
 * The last champion loaded, kept for the next candidate: candidates of a task come one after another against the same
 * champion, and loading a pretrained encoder's bundle takes longer than judging it. Verdicts are reached one at a
 * time (the candidates' consumer is single-threaded), so one model is kept.
 */
@ApplicationScoped
public class ChampionModels {

    @Inject
    ArtifactStore artifacts;

    @Inject
    EvaluationConfig config;

    private String loadedId;
    private JudgedModel loaded;

    /** The champion's model, loaded once; the one before is closed. Not to be closed by the caller. */
    public synchronized JudgedModel get(ModelPromotedEvent champion) {
        if (!champion.getModelId().equals(loadedId)) {
            close();
            loaded = JudgedModel.load(artifacts.require(champion.getArtifact()), config.threads());
            loadedId = champion.getModelId();
        }
        return loaded;
    }

    @PreDestroy
    synchronized void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
            loadedId = null;
        }
    }
}
