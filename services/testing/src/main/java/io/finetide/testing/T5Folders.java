package io.finetide.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.finetide.model.pretrained.SafeTensors;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/** Hugging Face T5 folders for the tests that upload one. */
public final class T5Folders {

    /** MiniLM's [SEP], the folders' end of sequence. */
    public static final int END_OF_TEXT = 102;
    /** MiniLM's [PAD], the folders' padding and decoder start, as T5's are one id. */
    public static final int DECODER_START = 0;

    private T5Folders() {
    }

    /**
     * The zip an upload sends of the tests' usual tiny T5 ({@link #write} with MiniLM's vocabulary, 64 wide, 2 layers
     * per stack), written under {@code dir}.
     */
    public static byte[] zipped(Path dir) throws Exception {
        int vocab;
        try (Tokenizer minilm = Tokenizer.builtin("minilm-l6", 16)) {
            vocab = minilm.vocabSize();
        }
        return io.finetide.model.pretrained.FolderArchive.zip(write(dir.resolve("t5"), vocab, 64, 2));
    }

    /**
     * A T5 1.0 folder as {@code transformers} writes one (linear weights [out, in], the language-model head tied to
     * {@code shared.weight}), random and small, with MiniLM's tokenizer, its [SEP] (102) as the end of sequence and
     * [PAD] (0) as the decoder's start.
     */
    public static Path write(Path dir, int vocab, int hidden, int layers) throws Exception {
        Files.createDirectories(dir);
        int heads = 4;
        TransformerConfig config = TransformerConfig.encoderDecoderBuilder().vocabSize(vocab).maxPositions(512)
                .hiddenSize(hidden).layers(layers).heads(heads).intermediateSize(2 * hidden).dropout(0)
                .relativeBuckets(32).relativeMaxDistance(128).layerNormEps(1e-6).build();
        Weights weights = Weights.initialise(config, 5);
        Map<String, Weights.Tensor> tensors = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = weights.get(p.name());
            boolean linear = p.shape().length == 2 && !p.name().equals(ParamSpec.SHARED) && !p.name().endsWith(
                    "relative_attention_bias.weight");
            tensors.put(p.name(), linear ? transposed(t) : t);
        }
        SafeTensors.write(dir.resolve("model.safetensors"), tensors);
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"], "vocab_size": %d,
                 "d_model": %d, "d_kv": %d, "d_ff": %d, "num_layers": %d, "num_decoder_layers": %d, "num_heads": %d,
                 "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128,
                 "feed_forward_proj": "relu", "layer_norm_epsilon": 1e-6, "tie_word_embeddings": true,
                 "eos_token_id": %d, "pad_token_id": 0, "decoder_start_token_id": %d}
                """.formatted(vocab, hidden, hidden / heads, 2 * hidden, layers, layers, heads, END_OF_TEXT,
                DECODER_START));
        try (Tokenizer minilm = Tokenizer.builtin("minilm-l6", 16)) {
            Files.write(dir.resolve("tokenizer.json"), minilm.json());
        }
        return dir;
    }

    private static Weights.Tensor transposed(Weights.Tensor t) {
        int rows = t.shape()[0];
        int cols = t.shape()[1];
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = t.values()[r * cols + c];
            }
        }
        return new Weights.Tensor(new int[]{cols, rows}, out);
    }
}
