package io.finetide.testing;

import java.nio.file.Path;

import io.finetide.model.pretrained.SafeTensors;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.Weights;

/** Hugging Face GPT-2 folders for the tests that upload one. */
public final class Gpt2Folders {

    /** MiniLM's [SEP], the folders' end-of-text token. */
    public static final int END_OF_TEXT = 102;

    private Gpt2Folders() {
    }

    /**
     * A GPT-2 folder as {@code transformers} writes one (Conv1D weights [in, out], Q, K and V as one [h, 3h] product,
     * the language-model head tied to {@code wte}), random and small, with MiniLM's tokenizer and its [SEP] (102) as
     * the end of text.
     */
    public static Path write(Path dir, int vocab, int positions, int hidden, int layers) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        java.util.Map<String, Weights.Tensor> t = new java.util.LinkedHashMap<>();
        java.util.function.BiConsumer<String, int[]> normal = (name, shape) -> {
            float[] v = new float[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * 0.02);
            }
            t.put(name, new Weights.Tensor(shape, v));
        };
        java.util.function.BiConsumer<String, Integer> norm = (name, n) -> {
            float[] ones = new float[n];
            java.util.Arrays.fill(ones, 1f);
            t.put(name + ".weight", new Weights.Tensor(new int[]{n}, ones));
            t.put(name + ".bias", new Weights.Tensor(new int[]{n}, new float[n]));
        };
        normal.accept("transformer.wte.weight", new int[]{vocab, hidden});
        normal.accept("transformer.wpe.weight", new int[]{positions, hidden});
        for (int i = 0; i < layers; i++) {
            String l = "transformer.h." + i + ".";
            norm.accept(l + "ln_1", hidden);
            normal.accept(l + "attn.c_attn.weight", new int[]{hidden, 3 * hidden});
            t.put(l + "attn.c_attn.bias", new Weights.Tensor(new int[]{3 * hidden}, new float[3 * hidden]));
            normal.accept(l + "attn.c_proj.weight", new int[]{hidden, hidden});
            t.put(l + "attn.c_proj.bias", new Weights.Tensor(new int[]{hidden}, new float[hidden]));
            norm.accept(l + "ln_2", hidden);
            normal.accept(l + "mlp.c_fc.weight", new int[]{hidden, 4 * hidden});
            t.put(l + "mlp.c_fc.bias", new Weights.Tensor(new int[]{4 * hidden}, new float[4 * hidden]));
            normal.accept(l + "mlp.c_proj.weight", new int[]{4 * hidden, hidden});
            t.put(l + "mlp.c_proj.bias", new Weights.Tensor(new int[]{hidden}, new float[hidden]));
        }
        norm.accept("transformer.ln_f", hidden);
        SafeTensors.write(dir.resolve("model.safetensors"), t);
        java.nio.file.Files.writeString(dir.resolve("config.json"), """
                {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": %d, "n_positions": %d,
                 "n_embd": %d, "n_layer": %d, "n_head": 2, "n_inner": null, "activation_function": "gelu_new",
                 "layer_norm_epsilon": 1e-5, "tie_word_embeddings": true, "eos_token_id": 102}
                """.formatted(vocab, positions, hidden, layers));
        try (Tokenizer minilm = Tokenizer.builtin("minilm-l6", 16)) {
            java.nio.file.Files.write(dir.resolve("tokenizer.json"), minilm.json());
        }
        return dir;
    }

}
