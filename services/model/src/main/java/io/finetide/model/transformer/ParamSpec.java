package io.finetide.model.transformer;

import java.util.ArrayList;
import java.util.List;

/**
 * One parameter of the model: Hugging Face BERT naming (a decoder reuses the layer names: its
 * {@code attention.output.LayerNorm} and {@code output.LayerNorm} are GPT-2's {@code ln_1} and {@code ln_2}, applied
 * before attention and the feed-forward), shape, initialiser and whether weight decay applies.
 */
public record ParamSpec(String name, int[] shape, Init init, boolean decayed) {

    public enum Init {
        NORMAL, ONES, ZEROS
    }

    public int size() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    public static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings.weight";
    public static final String TYPE_EMBEDDINGS = "embeddings.token_type_embeddings.weight";
    public static final String EMBEDDINGS_LN = "embeddings.LayerNorm";
    public static final String CLASSIFIER = "classifier";

    public static String layer(int i) {
        return "encoder.layer." + i + ".";
    }

    /** The prefix of the one set of layer parameters an ALBERT configuration shares across its layers. */
    public static final String SHARED_LAYER = "encoder.albert_layer.";
    public static final String EMBEDDING_PROJECTION = "encoder.embedding_hidden_mapping_in";
    /** A decoder's LayerNorm after its last layer (GPT-2's {@code ln_f}). */
    public static final String FINAL_LN = "decoder.final_LayerNorm";

    /** The parameters layer {@code i} runs with: its own, or the shared ones. */
    public static String layer(TransformerConfig c, int i) {
        return c.shareLayers() ? SHARED_LAYER : layer(i);
    }

    /** T5's embeddings, shared by the encoder's and decoder's inputs and (tied) the language-model head. */
    public static final String SHARED = "shared.weight";
    public static final String T5_ENCODER = "encoder.";
    public static final String T5_DECODER = "decoder.";
    public static final String SELF_ATTENTION = "layer.0.SelfAttention";
    public static final String CROSS_ATTENTION = "layer.1.EncDecAttention";
    /** Present in block 0 of each stack only; every block of the stack reuses its bias. */
    public static final String RELATIVE_BIAS = SELF_ATTENTION + ".relative_attention_bias.weight";
    public static final String FINAL_NORM = "final_layer_norm.weight";

    /** Block {@code i} of T5's {@code stack} ({@link #T5_ENCODER} or {@link #T5_DECODER}). */
    public static String block(String stack, int i) {
        return stack + "block." + i + ".";
    }

    /** The feed-forward sub-layer of a T5 block: the encoder's second, the decoder's third. */
    public static String feedForward(String stack) {
        return stack.equals(T5_ENCODER) ? "layer.1" : "layer.2";
    }

    /** All parameters in graph-building order. Linear weights are [in, out] (x @ W), as in the ONNX exports. */
    public static List<ParamSpec> forConfig(TransformerConfig c) {
        if (c.encoderDecoder()) {
            return t5(c);
        }
        int h = c.hiddenSize();
        int e = c.embeddingSize();
        List<ParamSpec> p = new ArrayList<>();
        p.add(new ParamSpec(WORD_EMBEDDINGS, new int[]{c.vocabSize(), e}, Init.NORMAL, true));
        p.add(new ParamSpec(POSITION_EMBEDDINGS, new int[]{c.maxPositions(), e}, Init.NORMAL, true));
        if (!c.decoder()) {
            p.add(new ParamSpec(TYPE_EMBEDDINGS, new int[]{c.typeVocabSize(), e}, Init.NORMAL, true));
            layerNorm(p, EMBEDDINGS_LN, e);
        }
        if (c.factorisedEmbeddings()) {
            linear(p, EMBEDDING_PROJECTION, e, h);
        }
        for (int i = 0; i < (c.shareLayers() ? 1 : c.layers()); i++) {
            String l = layer(c, i);
            linear(p, l + "attention.self.query", h, h);
            linear(p, l + "attention.self.key", h, h);
            linear(p, l + "attention.self.value", h, h);
            linear(p, l + "attention.output.dense", h, h);
            layerNorm(p, l + "attention.output.LayerNorm", h);
            linear(p, l + "intermediate.dense", h, c.intermediateSize());
            linear(p, l + "output.dense", c.intermediateSize(), h);
            layerNorm(p, l + "output.LayerNorm", h);
        }
        if (c.decoder()) {
            layerNorm(p, FINAL_LN, h);
        }
        if (!c.languageModel()) {
            linear(p, CLASSIFIER, h, c.numLabels());
        }
        return p;
    }

    /** Hugging Face's T5 naming (weights only: T5 has no biases, and its LayerNorms scale without a shift). */
    private static List<ParamSpec> t5(TransformerConfig c) {
        int h = c.hiddenSize();
        List<ParamSpec> p = new ArrayList<>();
        p.add(new ParamSpec(SHARED, new int[]{c.vocabSize(), h}, Init.NORMAL, true));
        for (String stack : List.of(T5_ENCODER, T5_DECODER)) {
            for (int i = 0; i < c.layers(); i++) {
                String b = block(stack, i);
                List<String> attentions = stack.equals(T5_ENCODER)
                        ? List.of(SELF_ATTENTION)
                        : List.of(SELF_ATTENTION,
                                CROSS_ATTENTION);
                for (String a : attentions) {
                    for (String proj : List.of("q", "k", "v", "o")) {
                        p.add(new ParamSpec(b + a + "." + proj + ".weight", new int[]{h, h}, Init.NORMAL, true));
                    }
                    if (i == 0 && a.equals(SELF_ATTENTION)) {
                        p.add(new ParamSpec(b + RELATIVE_BIAS, new int[]{c.relativeBuckets(), c.heads()},
                                Init.NORMAL, true));
                    }
                    p.add(new ParamSpec(b + a.substring(0, a.lastIndexOf('.')) + ".layer_norm.weight", new int[]{h},
                            Init.ONES, false));
                }
                String ff = b + feedForward(stack);
                p.add(new ParamSpec(ff + ".DenseReluDense.wi.weight", new int[]{h, c.intermediateSize()}, Init.NORMAL,
                        true));
                p.add(new ParamSpec(ff + ".DenseReluDense.wo.weight", new int[]{c.intermediateSize(), h}, Init.NORMAL,
                        true));
                p.add(new ParamSpec(ff + ".layer_norm.weight", new int[]{h}, Init.ONES, false));
            }
            p.add(new ParamSpec(stack + FINAL_NORM, new int[]{h}, Init.ONES, false));
        }
        return p;
    }

    private static void linear(List<ParamSpec> p, String prefix, int in, int out) {
        p.add(new ParamSpec(prefix + ".weight", new int[]{in, out}, Init.NORMAL, true));
        p.add(new ParamSpec(prefix + ".bias", new int[]{out}, Init.ZEROS, false));
    }

    private static void layerNorm(List<ParamSpec> p, String prefix, int h) {
        p.add(new ParamSpec(prefix + ".weight", new int[]{h}, Init.ONES, false));
        p.add(new ParamSpec(prefix + ".bias", new int[]{h}, Init.ZEROS, false));
    }
}
