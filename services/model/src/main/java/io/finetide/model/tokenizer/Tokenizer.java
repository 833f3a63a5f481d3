package io.finetide.model.tokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/**
 * A Hugging Face {@code tokenizer.json} (WordPiece or BPE) run offline through the Rust tokenizers library, with
 * special tokens and truncation to a fixed maximum length by a {@link Truncation} policy (the whole text is
 * tokenised, then cut). Padding is the batcher's job (dynamic per batch).
 */
public final class Tokenizer implements AutoCloseable {

    /** Built-in tokenizers by name; their files ship inside Maven Central jars, never fetched at run time. */
    public static final Map<String, String> BUILTIN = Map.of("minilm-l6", "/all-minilm-l6-v2-tokenizer.json",
            "bge-small", "/bge-small-en-v1.5-tokenizer.json");

    private final HuggingFaceTokenizer tokenizer;
    private final byte[] json;
    private final int maxLength;
    private final String name;
    private final String unknownToken;
    private final Truncation truncation;

    /** Token ids of a text, with how many are the unknown token and how many are special tokens. */
    public record Analysis(int[] ids, int unknown, int special) {
    }

    private static final java.util.regex.Pattern PAD = java.util.regex.Pattern.compile(
            "\"id\"\\s*:\\s*(\\d+)\\s*,\\s*\"content\"\\s*:\\s*\"(?:\\[PAD\\]|<pad>)\"");
    private final int padId;

    private static final java.util.regex.Pattern UNK = java.util.regex.Pattern.compile(
            "\"unk_token\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Tokenizer(String name, byte[] json, int maxLength, Truncation truncation) {
        this.name = name;
        this.json = json;
        this.maxLength = maxLength;
        this.truncation = truncation;
        java.util.regex.Matcher m = UNK.matcher(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        this.unknownToken = m.find() ? m.group(1) : null;
        java.util.regex.Matcher pad = PAD.matcher(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        this.padId = pad.find() ? Integer.parseInt(pad.group(1)) : 0;
        try (InputStream in = new ByteArrayInputStream(json)) {
            // No truncation in the library: it can only keep the head.
            this.tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("addSpecialTokens", "true", "truncation",
                    "false", "padding", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + name, e);
        }
    }

    public static Tokenizer builtin(String name, int maxLength) {
        return builtin(name, maxLength, Truncation.HEAD);
    }

    public static Tokenizer builtin(String name, int maxLength, Truncation truncation) {
        String resource = BUILTIN.get(name);
        if (resource == null) {
            throw new IllegalArgumentException("unknown tokenizer '" + name + "', known: " + BUILTIN.keySet());
        }
        try (InputStream in = Tokenizer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("tokenizer resource " + resource + " is not on the classpath");
            }
            return new Tokenizer(name, in.readAllBytes(), maxLength, truncation);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Tokenizer fromJson(String name, byte[] tokenizerJson, int maxLength, Truncation truncation) {
        return new Tokenizer(name, tokenizerJson, maxLength, truncation);
    }

    public int[] encode(String text) {
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return truncation.cut(out, maxLength);
    }

    /**
     * The text's ids without special tokens and uncut: the pieces of a prompt or completion that generation joins and
     * cuts itself.
     */
    public int[] encodePlain(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** What a model learns to write: the text's ids as {@link #encodePlain} gives them, then {@code endOfText}. */
    public int[] encodeTarget(String text, int endOfText) {
        int[] written = encodePlain(text);
        int[] ended = java.util.Arrays.copyOf(written, written.length + 1);
        ended[written.length] = endOfText;
        return ended;
    }

    /** The text of {@code ids}, special tokens left out. */
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, true);
    }

    /** Like {@link #encode}, counting unknown tokens (none for byte-level BPE vocabularies) and special tokens. */
    public Analysis analyse(String text) {
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        String[] tokens = e.getTokens();
        long[] specialMask = e.getSpecialTokenMask();
        int[] out = new int[ids.length];
        int[] unknownFlags = new int[ids.length];
        int[] specialFlags = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
            if (specialMask[i] != 0) {
                specialFlags[i] = 1;
            } else if (unknownToken != null && unknownToken.equals(tokens[i])) {
                unknownFlags[i] = 1;
            }
        }
        // The flags are cut like the ids, so that the counts are of the tokens kept.
        return new Analysis(truncation.cut(out, maxLength), java.util.Arrays.stream(truncation.cut(unknownFlags,
                maxLength)).sum(), java.util.Arrays.stream(truncation.cut(specialFlags, maxLength)).sum());
    }

    /**
     * Pre-split words (as in CoNLL files or a labelling page's tokens): word pieces of each word, with special tokens,
     * cut by the policy like {@link #encode}.
     *
     * @return the ids and, per id, the index of its word (-1 for special tokens)
     */
    public Words encodeWords(List<String> words) {
        Words whole = encodeWordsWhole(words);
        return new Words(truncation.cut(whole.ids(), maxLength), truncation.cut(whole.wordIds(), maxLength), whole
                .count());
    }

    /** {@link #encodeWords} without the cut: every word's pieces, however long (for {@link WordWindows}). */
    public Words encodeWordsWhole(List<String> words) {
        if (words.isEmpty()) {
            return new Words(encode(""), new int[]{-1, -1}, 0);
        }
        Encoding e = tokenizer.encode(words.toArray(String[]::new), true, false);
        long[] ids = e.getIds();
        long[] wordIds = e.getWordIds();
        int[] outIds = new int[ids.length];
        int[] outWords = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            outIds[i] = Math.toIntExact(ids[i]);
            outWords[i] = Math.toIntExact(wordIds[i]);
        }
        return new Words(outIds, outWords, words.size());
    }

    /**
     * Ids of pre-split words, the word each id belongs to (-1: a special token) and how many words there were (words
     * cut off by truncation have no ids).
     */
    public record Words(int[] ids, int[] wordIds, int count) {
        /**
         * A label per position from a label per word: a word's first piece gets it, the other pieces and special
         * tokens get -1 (no label), the usual alignment for BIO tagging.
         */
        public int[] positionLabels(int[] wordLabels) {
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = firstPiece(i) ? wordLabels[wordIds[i]] : -1;
            }
            return out;
        }

        /** Whether position {@code i} is a word's first piece: the position a word's label belongs to. */
        public boolean firstPiece(int i) {
            int w = wordIds[i];
            return w >= 0 && (i == 0 || wordIds[i - 1] != w);
        }
    }

    /**
     * A pair of texts as the tokenizer's template joins them ({@code [CLS] a [SEP] b [SEP]} for BERT) with each
     * token's segment (0 for the first text and its special tokens, 1 for the second), cut to the maximum length
     * longest-first as Hugging Face does: one token at a time from the end of the longer text (the second on a tie),
     * special tokens kept. The truncation policy applies to single texts only.
     */
    public Pair encodePair(String first, String second) {
        return encodePair(first, second, maxLength);
    }

    /** {@link #encodePair(String, String)} cut to {@code maxLength} tokens instead of this tokenizer's own. */
    public Pair encodePair(String first, String second, int maxLength) {
        Encoding e = tokenizer.encode(first, second);
        long[] ids = e.getIds();
        long[] types = e.getTypeIds();
        long[] special = e.getSpecialTokenMask();
        // Which text a token came from, by count: some templates (RoBERTa's) give both texts type 0.
        int firstTokens = tokenizer.encode(first, false, false).getIds().length;
        int[] segment = new int[ids.length];
        int[] count = new int[2];
        for (int i = 0, seen = 0; i < ids.length; i++) {
            segment[i] = seen < firstTokens ? 0 : 1;
            if (special[i] == 0) {
                count[segment[i]]++;
                seen++;
            }
        }
        boolean[] drop = new boolean[ids.length];
        for (int length = ids.length; length > maxLength; length--) {
            int longer = count[0] > count[1] ? 0 : 1;
            if (count[longer] == 0) {
                break; // only special tokens left: nothing more may go
            }
            for (int i = ids.length - 1; i >= 0; i--) {
                if (!drop[i] && special[i] == 0 && segment[i] == longer) {
                    drop[i] = true;
                    break;
                }
            }
            count[longer]--;
        }
        int kept = 0;
        for (boolean x : drop) {
            kept += x ? 0 : 1;
        }
        int[] outIds = new int[kept];
        int[] outTypes = new int[kept];
        for (int i = 0, j = 0; i < ids.length; i++) {
            if (!drop[i]) {
                outIds[j] = Math.toIntExact(ids[i]);
                outTypes[j++] = Math.toIntExact(types[i]);
            }
        }
        return new Pair(outIds, outTypes);
    }

    /** Token ids of a text pair and the segment of each (BERT's token type ids). */
    public record Pair(int[] ids, int[] typeIds) {
    }

    public int[][] encodeAll(List<String> texts) {
        int[][] out = new int[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(texts.get(i));
        }
        return out;
    }

    public int vocabSize() {
        // The Rust library does not expose the size; the id of the last vocabulary entry does.
        return VocabSize.of(json);
    }

    /** Id used for padding: the tokenizer's {@code [PAD]} or {@code <pad>} token, else 0 (BERT's place for it). */
    public int padId() {
        return padId;
    }

    public int maxLength() {
        return maxLength;
    }

    public String name() {
        return name;
    }

    public Truncation truncation() {
        return truncation;
    }

    public byte[] json() {
        return json.clone();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
