package io.finetide.preprocessing.preparation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.Truncation;

/**
 * One loaded tokenizer per name, shared by all tasks that use it, and the task's truncation policy. The shipped
 * tokenizers load from the model library; an uploaded base's ({@code user/<name>}) from the artifact store, where its
 * name never changes content.
 */
@ApplicationScoped
public class Tokenizers {

    /** Long enough to measure any text the models can take; truncation to the task's limit happens afterwards. */
    public static final int MEASURE_LENGTH = 512;

    private final Map<String, Tokenizer> encoders = new ConcurrentHashMap<>();

    @Inject
    ArtifactStore artifacts;

    /**
     * Token ids after truncation, the length before it (capped at {@value #MEASURE_LENGTH}), and how many content
     * tokens the vocabulary did not know.
     */
    public record Tokens(int[] ids, int fullLength, boolean truncated, int unknown, int content) {
    }

    /** What decides the token ids of a task's examples: a change of any part re-tokenises them. */
    public static String version(TaskDefinitionEvent task) {
        ModelSpec m = task.getModel();
        return m.getTokenizer() + "/" + m.getMaxSeqLen() + "/" + truncation(task).name().toLowerCase(
                java.util.Locale.ROOT);
    }

    static Truncation truncation(TaskDefinitionEvent task) {
        Truncation t = task.getPreprocessing().getTruncation();
        return t == Truncation.TRUNCATION_UNSPECIFIED || t == Truncation.UNRECOGNIZED ? Truncation.HEAD : t;
    }

    public Tokens tokenize(TaskDefinitionEvent task, String text) {
        Tokenizer tokenizer = encoders.computeIfAbsent(task.getModel().getTokenizer(), this::load);
        Tokenizer.Analysis a = tokenizer.analyse(text);
        int[] ids = a.ids();
        int maxLength = task.getModel().getMaxSeqLen();
        int content = ids.length - a.special();
        if (ids.length <= maxLength) {
            return new Tokens(ids, ids.length, false, a.unknown(), content);
        }
        return new Tokens(truncate(ids, maxLength, truncation(task)), ids.length, true, a.unknown(), content);
    }

    /**
     * A text pair as the model reads it (the tokenizer's pair template), cut longest-first to the task's limit; the
     * truncation policy is for single texts.
     */
    public Tokens tokenizePair(TaskDefinitionEvent task, String text, String textPair) {
        Tokenizer tokenizer = encoders.computeIfAbsent(task.getModel().getTokenizer(), this::load);
        Tokenizer.Analysis first = tokenizer.analyse(text);
        Tokenizer.Analysis second = tokenizer.analyse(textPair);
        int unknown = first.unknown() + second.unknown();
        int content = first.ids().length - first.special() + second.ids().length - second.special();
        int[] full = tokenizer.encodePair(text, textPair).ids();
        int maxLength = task.getModel().getMaxSeqLen();
        if (full.length <= maxLength) {
            return new Tokens(full, full.length, false, unknown, content);
        }
        return new Tokens(tokenizer.encodePair(text, textPair, maxLength).ids(), full.length, true, unknown, content);
    }

    private Tokenizer load(String name) {
        return BaseModelArtifacts.uploadedName(name).map(upload -> Tokenizer.fromJson(name, artifacts.require(
                BaseModelArtifacts.tokenizer(upload)), MEASURE_LENGTH, io.finetide.model.tokenizer.Truncation.HEAD))
                .orElseGet(() -> Tokenizer.builtin(name, MEASURE_LENGTH));
    }

    /**
     * {@code ids} (opening special token first, closing one last) cut to {@code max}, both special tokens kept.
     */
    static int[] truncate(int[] ids, int max, Truncation policy) {
        // The model library's cut, so that preparation, training and serving keep the same tokens.
        return io.finetide.model.tokenizer.Truncation.valueOf(policy.name()).cut(ids, max);
    }

    @PreDestroy
    void close() {
        encoders.values().forEach(Tokenizer::close);
    }
}
