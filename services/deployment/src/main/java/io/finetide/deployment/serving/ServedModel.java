package io.finetide.deployment.serving;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.CompletionWriter;
import io.finetide.model.infer.Tagger;

/**
 * A loaded model with a reference count, so that a swap never closes a model under a request that is using it: the
 * serving slot holds one reference, each request one more; the last release closes the TensorFlow session.
 */
public final class ServedModel {

    private final String modelId;
    private final int version;
    /** One of the three: a sequence classifier, a tagger, or a writer of completions for a generation task. */
    private final Classifier classifier;
    private final Tagger tagger;
    private final CompletionWriter writer;
    private final AtomicInteger references = new AtomicInteger(1);

    public ServedModel(String modelId, int version, Classifier classifier) {
        this(modelId, version, classifier, null, null);
    }

    public ServedModel(String modelId, int version, Tagger tagger) {
        this(modelId, version, null, tagger, null);
    }

    public ServedModel(String modelId, int version, CompletionWriter writer) {
        this(modelId, version, null, null, writer);
    }

    private ServedModel(String modelId, int version, Classifier classifier, Tagger tagger, CompletionWriter writer) {
        this.modelId = modelId;
        this.version = version;
        this.classifier = classifier;
        this.tagger = tagger;
        this.writer = writer;
    }

    /** Whether the model tags words rather than labelling texts. */
    public boolean tagging() {
        return tagger != null;
    }

    /** @return false when the model is already closed (the caller reads the slot again and gets its successor) */
    boolean tryAcquire() {
        while (true) {
            int n = references.get();
            if (n <= 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            if (tagging()) {
                tagger.close();
            } else if (writer != null) {
                writer.close();
            } else {
                classifier.close();
            }
        }
    }

    public String modelId() {
        return modelId;
    }

    public int version() {
        return version;
    }

    /** The model's labels; none for a writer. */
    public List<String> labels() {
        return tagging() ? tagger.bundle().labels() : writer != null ? List.of() : classifier.bundle().labels();
    }

    /** Whether the model classifies pairs of texts (its bundle says it was trained on them). */
    public boolean paired() {
        return classifier != null && classifier.bundle().textPairs();
    }

    /** The kind of input the model answers, for requests of another kind. */
    public Kind kind() {
        return tagging()
                ? Kind.TAGS_WORDS
                : writer != null ? Kind.WRITES_COMPLETIONS : paired() ? Kind.LABELS_PAIRS : Kind.LABELS_TEXTS;
    }

    List<Classifier.Prediction> predict(List<ServedText> inputs) {
        if (tagging()) {
            throw new WrongKindException(Kind.TAGS_WORDS, "task's model tags words: POST .../tag");
        }
        if (writer != null) {
            throw new WrongKindException(Kind.WRITES_COMPLETIONS, "task's model writes completions: POST .../generate");
        }
        boolean paired = paired();
        if (inputs.stream().anyMatch(i -> i.paired() != paired)) {
            throw new WrongKindException(kind(), paired
                    ? "task's model classifies pairs of texts: give a second text for each"
                    : "task's model classifies single texts: give no second texts");
        }
        List<String> texts = inputs.stream().map(ServedText::text).toList();
        return paired
                ? classifier.predictPairs(texts, inputs.stream().map(ServedText::textPair).toList())
                : classifier.predict(texts);
    }

    List<Tagger.Tagged> tag(List<List<String>> words) {
        if (!tagging()) {
            throw new WrongKindException(kind(), writer != null
                    ? "task's model writes completions: POST .../generate"
                    : "task's model labels texts: POST .../predict");
        }
        return tagger.tag(words);
    }

    /** A completion of {@code prompt}; one writer serves one request at a time (its cache is per request). */
    CompletionWriter.Written write(String prompt, GenerationSettings settings, List<String> stops,
            Consumer<String> pieces) {
        if (writer == null) {
            throw new WrongKindException(kind(), tagging()
                    ? "task's model tags words: POST .../tag"
                    : "task's model labels texts: POST .../predict");
        }
        synchronized (writer) {
            return writer.write(prompt, settings, stops, pieces);
        }
    }

    /** What a served model answers. */
    public enum Kind {
        LABELS_TEXTS, LABELS_PAIRS, TAGS_WORDS, WRITES_COMPLETIONS
    }

    /** A request of another kind than the served model answers. */
    public static final class WrongKindException extends IllegalStateException {

        private final Kind served;

        WrongKindException(Kind served, String message) {
            super(message);
            this.served = served;
        }

        /** What the served model answers instead. */
        public Kind served() {
            return served;
        }
    }

    boolean isClosed() {
        return references.get() <= 0;
    }
}
