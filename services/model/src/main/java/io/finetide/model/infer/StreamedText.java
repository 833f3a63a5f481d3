package io.finetide.model.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.finetide.model.tokenizer.Tokenizer;

/**
 * Tokens turned into text as they come: each new piece is the text of all tokens so far less the text already sent
 * (decoding tokens one at a time would lose the spaces a tokenizer puts between words), held back while it could be
 * the start of a stop sequence, and never past one.
 */
final class StreamedText {

    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final Consumer<String> pieces;
    private final List<Integer> tokens = new ArrayList<>();
    private int sent;

    StreamedText(Tokenizer tokenizer, List<String> stops, Consumer<String> pieces) {
        this.tokenizer = tokenizer;
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.pieces = pieces;
    }

    /** A token is final: sends what of the text can no longer turn out to be a stop sequence. */
    void accept(int token) {
        tokens.add(token);
        String text = text(tokens.stream().mapToInt(Integer::intValue).toArray());
        int safe = cut(text);
        if (safe == text.length()) {
            // No stop sequence yet: keep back a tail that could still become the start of one.
            for (String stop : stops) {
                for (int k = Math.min(stop.length() - 1, text.length()); k > 0; k--) {
                    if (text.endsWith(stop.substring(0, k))) {
                        safe = Math.min(safe, text.length() - k);
                        break;
                    }
                }
            }
        }
        send(text, safe);
    }

    /** Whether the text of {@code generated} holds a stop sequence. */
    boolean stopsAt(int[] generated) {
        return !stops.isEmpty() && cut(text(generated)) < text(generated).length();
    }

    /** The completion's text, cut before its first stop sequence; sends what is left to send. */
    String finish(int[] generated) {
        String text = text(generated);
        String kept = text.substring(0, cut(text));
        send(kept, kept.length());
        return kept;
    }

    private void send(String text, int upTo) {
        if (upTo > sent) {
            pieces.accept(text.substring(sent, upTo));
            sent = upTo;
        }
    }

    /** Where the first stop sequence starts; the text's length without one. */
    private int cut(String text) {
        int at = text.length();
        for (String stop : stops) {
            int i = text.indexOf(stop);
            if (i >= 0) {
                at = Math.min(at, i);
            }
        }
        return at;
    }

    private String text(int[] ids) {
        return tokenizer.decode(ids);
    }
}
