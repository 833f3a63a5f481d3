package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * Golden parity: the MiniLM-L6 and BGE-small weights imported into our TensorFlow encoder give the same last hidden
 * states as ONNX Runtime running the very same ONNX file, on a batch with short, long and padded sentences.
 */
class OnnxParityTest {

    static final List<String> SENTENCES = List.of(
            "Hi.",
            "The bank charged me twice for the same transfer and nobody answers the phone.",
            "a gob of drivel so sickly sweet , even the eager consumers of moore 's pasteurized ditties will retch "
                    + "it up like rancid crème brûlée .",
            "Fine-tuning a Transformer on streaming text, continuously!",
            "ok");

    @Test
    void minilmHiddenStatesMatchOnnxRuntime() throws Exception {
        check("minilm-l6", 6, 22_500_000L, 22_800_000L);
    }

    @Test
    void bgeSmallHiddenStatesMatchOnnxRuntime() throws Exception {
        check("bge-small", 12, 33_000_000L, 33_500_000L);
    }

    @Test
    void textPairsWithTheirSegmentsMatchOnnxRuntime() throws Exception {
        // Segment 1's token-type embedding is used here, and only here.
        PretrainedEncoders.Pretrained pre = PretrainedEncoders.load("minilm-l6", HeadSpec.sequence(2, Pooling.CLS), 0.0,
                1);
        assertThat(maxDifference("minilm-l6", pre, true)).as("max |ours - onnxruntime| over real tokens of pairs")
                .isLessThanOrEqualTo(1e-4);
    }

    private static void check(String name, int layers, long minParameters, long maxParameters) throws Exception {
        PretrainedEncoders.Pretrained pre = PretrainedEncoders.load(name, HeadSpec.sequence(2, Pooling.CLS), 0.0, 1);
        assertThat(pre.config().layers()).isEqualTo(layers);
        assertThat(pre.config().hiddenSize()).isEqualTo(384);
        assertThat(pre.config().intermediateSize()).isEqualTo(1536);
        assertThat(pre.config().vocabSize()).isEqualTo(30522);
        assertThat(pre.config().parameterCount()).isBetween(minParameters, maxParameters);
        // The declared shape gives the same configuration without reading the file.
        assertThat(PretrainedEncoders.config(name, HeadSpec.sequence(2, Pooling.CLS), 0.0)).isEqualTo(pre.config());
        assertThat(maxDifference(name, pre, false)).as("max |ours - onnxruntime| over real tokens").isLessThanOrEqualTo(
                1e-4);
    }

    private static double maxDifference(String name, PretrainedEncoders.Pretrained pre, boolean pairs)
            throws Exception {
        int[][] ids;
        int[][] segments;
        try (Tokenizer tokenizer = Tokenizer.builtin(name, 128)) {
            if (pairs) {
                // Each sentence with the next one; 128 tokens cut the longest pairs longest-first.
                List<Tokenizer.Pair> p = new java.util.ArrayList<>();
                for (int i = 0; i < SENTENCES.size(); i++) {
                    p.add(tokenizer.encodePair(SENTENCES.get(i), SENTENCES.get((i + 1) % SENTENCES.size())));
                }
                ids = p.stream().map(Tokenizer.Pair::ids).toArray(int[][]::new);
                segments = p.stream().map(Tokenizer.Pair::typeIds).toArray(int[][]::new);
            } else {
                ids = tokenizer.encodeAll(SENTENCES);
                segments = java.util.Arrays.stream(ids).map(s -> new int[s.length]).toArray(int[][]::new);
            }
        }
        int b = ids.length;
        int t = 0;
        for (int[] s : ids) {
            t = Math.max(t, s.length);
        }
        int h = pre.config().hiddenSize();
        float[] ours;
        try (TransformerGraph graph = TransformerGraph.create(pre.config(), pre.weights(), GraphOptions.inference(2))) {
            ours = graph.hiddenStates(pairs ? Batch.ofPairs(ids, segments, 0, 1, 512) : Batch.of(ids, 0, 1, 512));
        }

        long[][] inputIds = new long[b][t];
        long[][] mask = new long[b][t];
        long[][] types = new long[b][t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                inputIds[i][j] = ids[i][j];
                mask[i][j] = 1;
                types[i][j] = segments[i][j];
            }
        }
        byte[] onnx;
        try (InputStream in = OnnxParityTest.class.getResourceAsStream(PretrainedEncoders.base(name)
                .onnxResource())) {
            onnx = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[][][] reference;
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                OnnxTensor a = OnnxTensor.createTensor(env, inputIds);
                OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OnnxTensor y = OnnxTensor.createTensor(env, types);
                OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", y))) {
            reference = (float[][][]) r.get(0).getValue();
        }

        double maxDiff = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                for (int k = 0; k < h; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ours[(i * t + j) * h + k] - reference[i][j][k]));
                }
            }
        }
        System.out.printf("parity %s pairs=%s: max |ours - onnxruntime| = %.17g%n", name, pairs, maxDiff);
        return maxDiff;
    }
}
