package io.finetide.preprocessing.domain;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.finetide.model.text.TextEncoder;

/** One loaded tokenizer per name, shared by all tasks that use it. */
@ApplicationScoped
public class Tokenizers {

    /** Long enough to measure any text the models can take; truncation to the task's limit happens afterwards. */
    static final int MEASURE_LENGTH = 512;

    private final Map<String, TextEncoder> encoders = new ConcurrentHashMap<>();

    public record Tokens(int[] ids, int fullLength, boolean truncated) {
    }

    /**
     * Token ids for {@code text}, truncated to {@code maxLength} keeping the closing special token, and the length
     * before truncation.
     */
    public Tokens tokenize(String tokenizer, String text, int maxLength) {
        TextEncoder encoder = encoders.computeIfAbsent(tokenizer, n -> TextEncoder.builtin(n, MEASURE_LENGTH));
        int[] ids = encoder.encode(text);
        if (ids.length <= maxLength) {
            return new Tokens(ids, ids.length, false);
        }
        int[] cut = new int[maxLength];
        System.arraycopy(ids, 0, cut, 0, maxLength - 1);
        cut[maxLength - 1] = ids[ids.length - 1];
        return new Tokens(cut, ids.length, true);
    }

    @PreDestroy
    void close() {
        encoders.values().forEach(TextEncoder::close);
    }
}
