package io.finetide.model.graph;

import io.finetide.model.transformer.TransformerConfig;

/**
 * A language model that writes one token at a time from a key/value cache ({@link DecodingGraph} for a GPT-2-style
 * decoder, {@link EncoderDecoderDecoding} for a T5): what greedy decoding, sampling and beam search run on.
 */
public interface CachedDecoder extends AutoCloseable {

    TransformerConfig config();

    /**
     * Reads prompts of one length, [rows][length], into a fresh cache: the logits of each row's first token to write.
     * A decoder continues its prompt; an encoder-decoder reads the prompt as its source and writes from its start.
     */
    DecodingGraph.Step start(int[][] prompts);

    /**
     * Appends one token to each row: row i continues the cached row {@code order[i]} with {@code tokens[i]}. The
     * given cache stays open; the caller closes it once it is no longer needed.
     */
    DecodingGraph.Step next(DecodingGraph.Cache cache, int[] order, int[] tokens);

    @Override
    void close();
}
