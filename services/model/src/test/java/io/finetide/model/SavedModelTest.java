package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.export.SavedModels;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Save, export, reload: weights saved in the bundle format restore exactly; the SavedModel export, loaded by a fresh
 * JVM through TensorFlow's own loader, answers bit for bit as the graph that exported it.
 */
class SavedModelTest {

    static final TransformerConfig CFG = TransformerConfig.encoderBuilder().vocabSize(30).maxPositions(16)
            .typeVocabSize(2).hiddenSize(16).layers(2).heads(2).intermediateSize(24).labels(3).pooling(Pooling.CLS)
            .dropout(0).layerNormEps(1e-12).build();
    static final int[][] IDS = {{1, 5, 7, 2, 0, 0}, {1, 9, 11, 12, 13, 2}};
    static final float[] MASK = {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};

    @Test
    void aFreshJvmReloadsTheExportAndAnswersIdentically(@TempDir Path dir) throws Exception {
        Weights w = GradientCheckTest.scaled(Weights.initialise(CFG, 12), 10);
        // Save and restore in the bundle's weight format first: the export is of the restored weights.
        Weights restored = Weights.fromBytes(new java.io.ByteArrayInputStream(w.toBytes()));
        for (String name : w.tensors().keySet()) {
            assertThat(restored.get(name).values()).isEqualTo(w.get(name).values());
        }
        float[][] expected;
        Path export = dir.resolve("saved");
        try (TransformerGraph g = TransformerGraph.create(CFG, restored, GraphOptions.inference(1))) {
            expected = g.predict(Batch.of(new int[][]{{1, 5, 7, 2}, {1, 9, 11, 12, 13, 2}}, 0, 1, 6));
            SavedModels.export(g, export);
        }
        assertThat(export.resolve("saved_model.pb")).exists();

        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SavedModelTest.class.getName(), export.toString(), out
                        .toString())
                .inheritIO().start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String[] values = Files.readString(out, StandardCharsets.UTF_8).strip().split(" ");
        float[] flat = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            flat[i] = Float.intBitsToFloat(Integer.parseInt(values[i]));
        }
        float[] want = new float[expected.length * 3];
        for (int i = 0; i < expected.length; i++) {
            System.arraycopy(expected[i], 0, want, i * 3, 3);
        }
        assertThat(flat).containsExactly(want);
    }

    @Test
    void anEncoderDecoderExportTakesTheDecoderInputs(@TempDir Path dir) throws Exception {
        TransformerConfig t5 = EncoderDecoderTest.SMALL;
        Weights w = GradientCheckTest.scaled(Weights.initialise(t5, 13), 10);
        int[][] sources = {{5, 6, 7, 1}, {8, 1, 0, 0}};
        int[][] targets = {{0, 15, 16}, {0, 18, 0}};
        float[][][] expected;
        Path export = dir.resolve("t5");
        try (TransformerGraph g = TransformerGraph.create(t5, w, GraphOptions.inference(1))) {
            expected = g.predictTokens(Batch.of(new int[][]{{5, 6, 7, 1}, {8, 1}}, 0, 1, 16).withDecoder(Batch.of(
                    new int[][]{{0, 15, 16}, {0, 18}}, 0, 1, 16)));
            SavedModels.export(g, export);
        }
        try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve");
                TInt32 ids = TInt32.tensorOf(Shape.of(2, 4), DataBuffers.of(flat(sources), true, false));
                TFloat32 mask = TFloat32.tensorOf(Shape.of(2, 4), DataBuffers.of(new float[]{1, 1, 1, 1, 1, 1, 0, 0},
                        true, false));
                TInt32 dec = TInt32.tensorOf(Shape.of(2, 3), DataBuffers.of(flat(targets), true, false));
                TFloat32 decMask = TFloat32.tensorOf(Shape.of(2, 3), DataBuffers.of(new float[]{1, 1, 1, 1, 1, 0},
                        true, false));
                Result r = bundle.function("serving_default").call(Map.<String, Tensor>of("input_ids", ids,
                        "attention_mask", mask, "decoder_input_ids", dec, "decoder_attention_mask", decMask))) {
            TFloat32 probs = (TFloat32) r.get("probabilities").orElseThrow();
            assertThat(probs.shape()).isEqualTo(Shape.of(6, EncoderDecoderTest.VOCAB));
            float[] v = new float[(int) probs.shape().size()];
            probs.copyTo(DataBuffers.of(v, false, false));
            for (int i = 0; i < 2; i++) {
                for (int t = 0; t < 3; t++) {
                    float[] row = Arrays.copyOfRange(v, (i * 3 + t) * EncoderDecoderTest.VOCAB, (i * 3 + t + 1)
                            * EncoderDecoderTest.VOCAB);
                    assertThat(row).containsExactly(expected[i][t]);
                }
            }
        }
    }

    private static int[] flat(int[][] rows) {
        return Arrays.stream(rows).flatMapToInt(Arrays::stream).toArray();
    }

    /** The fresh JVM: load with TensorFlow's loader, call the signature, write the float bits. */
    public static void main(String[] args) throws Exception {
        try (SavedModelBundle bundle = SavedModelBundle.load(args[0], "serve");
                TInt32 ids = TInt32.tensorOf(Shape.of(2, 6), DataBuffers.of(Arrays.stream(IDS).flatMapToInt(
                        Arrays::stream).toArray(), true, false));
                TFloat32 mask = TFloat32.tensorOf(Shape.of(2, 6), DataBuffers.of(MASK, true, false));
                TInt32 types = TInt32.tensorOf(Shape.of(2, 6), DataBuffers.of(new int[12], true, false));
                Result r = bundle.function("serving_default").call(Map.<String, Tensor>of("input_ids", ids,
                        "attention_mask", mask, "token_type_ids", types))) {
            TFloat32 probs = (TFloat32) r.get("probabilities").orElseThrow();
            float[] v = new float[(int) probs.shape().size()];
            probs.copyTo(DataBuffers.of(v, false, false));
            StringBuilder sb = new StringBuilder();
            for (float f : v) {
                sb.append(Float.floatToIntBits(f)).append(' ');
            }
            Files.writeString(Path.of(args[1]), sb.toString(), StandardCharsets.UTF_8);
        }
    }
}
