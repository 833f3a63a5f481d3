package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.finetide.model.adapters.Lora;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.graph.UpdateStep;
import io.finetide.model.infer.Seq2Seq;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * The T5-style encoder-decoder on small random configurations (Hugging Face parity is {@link ReferenceParityTest}'s):
 * the decoder never sees its future and padding changes nothing, a model learns a small translation and generates it
 * greedily, encoder-only and decoder-only fine-tuning move exactly their stack, and LoRA merges into a plain model.
 */
class EncoderDecoderTest {

    static final int PAD = 0;
    static final int EOS = 1;
    static final int VOCAB = 24;
    static final TransformerConfig SMALL = TransformerConfig.encoderDecoderBuilder().vocabSize(VOCAB).maxPositions(16)
            .hiddenSize(16).layers(2).heads(2).intermediateSize(32).dropout(0).relativeBuckets(8)
            .relativeMaxDistance(16).layerNormEps(1e-6).build();

    @Test
    void theDecoderNeverSeesItsFutureAndPaddingChangesNothing() {
        Weights w = GradientCheckTest.scaled(Weights.initialise(SMALL, 3), 20);
        try (TransformerGraph g = TransformerGraph.create(SMALL, w, GraphOptions.inference(1))) {
            int[] source = {5, 6, 7, 8, EOS};
            float[][][] a = g.predictTokens(Batch.of(new int[][]{source}, PAD, 1, 16).withDecoder(Batch.of(
                    new int[][]{{PAD, 9, 10, 11}}, PAD, 1, 16)));
            float[][][] b = g.predictTokens(Batch.of(new int[][]{source}, PAD, 1, 16).withDecoder(Batch.of(
                    new int[][]{{PAD, 9, 20, 3}}, PAD, 1, 16)));
            // Batched with a longer source and a longer target, so both of this row's inputs are padded.
            float[][][] padded = g.predictTokens(Batch.of(new int[][]{source, {4, 4, 4, 4, 4, 4, 4, 4, 4, EOS}}, PAD,
                    8, 16).withDecoder(Batch.of(new int[][]{{PAD, 9, 10, 11}, {PAD, 2, 2, 2, 2, 2, 2}}, PAD, 8, 16)));
            for (int t = 0; t < 4; t++) {
                for (int k = 0; k < VOCAB; k++) {
                    if (t < 2) {
                        assertThat(b[0][t][k]).isCloseTo(a[0][t][k], within(1e-6f));
                    }
                    assertThat(padded[0][t][k]).isCloseTo(a[0][t][k], within(1e-5f));
                }
            }
            assertThat(b[0][2]).isNotEqualTo(a[0][2]);
            // The source matters to every position (cross-attention).
            float[][][] other = g.predictTokens(Batch.of(new int[][]{{5, 6, 7, 9, EOS}}, PAD, 1, 16).withDecoder(Batch
                    .of(new int[][]{{PAD, 9, 10, 11}}, PAD, 1, 16)));
            assertThat(other[0][0]).isNotEqualTo(a[0][0]);
        }
        assertThat(SMALL.parameterCount()).isEqualTo(ParamSpec.forConfig(SMALL).stream().mapToLong(ParamSpec::size)
                .sum());
    }

    @Test
    void learnsASmallTranslationAndGeneratesIt() {
        // Each word of a 2-5 word sentence maps to another word (a fixed substitution), in order: alignment by
        // position and a vocabulary to learn.
        List<int[][]> train = translations(1200, 1);
        List<int[][]> held = translations(100, 2);
        TransformerConfig cfg = TransformerConfig.encoderDecoderBuilder().vocabSize(VOCAB).maxPositions(16)
                .hiddenSize(32).layers(2).heads(4).intermediateSize(64).dropout(0).relativeBuckets(16)
                .relativeMaxDistance(32).layerNormEps(1e-6).build();
        Trainer.Result r = Trainer.trainSeq2Seq(cfg, Weights.initialise(cfg, 7), column(train, 0), column(train, 1),
                column(held, 0), column(held, 1), PAD, PAD,
                TrainingConfig.builder().learningRate(3e-3).batchSize(32).epochs(20).weightDecay(0.0).warmupRatio(0.05)
                        .maxGradNorm(1.0).seed(42).dropout(0).patience(0).labelSmoothing(0).threads(1).build(),
                Strategy.full(), TrainingListener.NONE, Checkpoint.Store.NONE);
        // Teacher-forced token accuracy: 1.000 from epoch 15 on (0.22 after the first).
        assertThat(r.best().validationScore()).isGreaterThan(0.95);
        try (TransformerGraph g = TransformerGraph.create(cfg, r.weights(), GraphOptions.inference(1))) {
            int[][] generated = Seq2Seq.generate(g, column(held, 0).toArray(int[][]::new), PAD, PAD, EOS, 10);
            int exact = 0;
            for (int i = 0; i < held.size(); i++) {
                exact += Arrays.equals(generated[i], held.get(i)[1]) ? 1 : 0;
            }
            assertThat(exact).isGreaterThanOrEqualTo(90);
        }
    }

    @Test
    void encoderOnlyAndDecoderOnlyTrainExactlyTheirStack() {
        List<int[][]> data = translations(64, 3);
        Weights initial = Weights.initialise(SMALL, 5);
        TrainingConfig tc = TrainingConfig.builder().learningRate(1e-2).batchSize(16).epochs(1).weightDecay(0.01)
                .warmupRatio(0.0).maxGradNorm(1.0).seed(5).dropout(0.1).patience(0).labelSmoothing(0).threads(1)
                .build();
        for (Strategy strategy : List.of(Strategy.encoderOnly(), Strategy.decoderOnly())) {
            String stack = strategy.kind() == Strategy.Kind.ENCODER_ONLY ? "encoder." : "decoder.";
            Weights after = Trainer.trainSeq2Seq(SMALL, initial, column(data, 0), column(data, 1), column(data, 0),
                    column(data, 1), PAD, PAD, tc, strategy, TrainingListener.NONE, Checkpoint.Store.NONE).weights();
            for (String name : initial.tensors().keySet()) {
                float[] before = initial.get(name).values();
                if (name.startsWith(stack)) {
                    assertThat(after.get(name).values()).as(strategy.name() + " trains " + name).isNotEqualTo(before);
                } else {
                    assertThat(after.get(name).values()).as(strategy.name() + " freezes " + name).isEqualTo(before);
                }
            }
        }
        assertThat(Strategy.encoderOnly().trainable(SMALL)).contains(ParamSpec.T5_ENCODER + ParamSpec.FINAL_NORM)
                .noneMatch(n -> n.startsWith("decoder.") || n.equals(ParamSpec.SHARED));
        assertThat(Strategy.parse("decoder-only")).isEqualTo(Strategy.decoderOnly());
        TransformerConfig bert = TransformerConfig.encoderBuilder().vocabSize(30).maxPositions(16).typeVocabSize(2)
                .hiddenSize(16).layers(2).heads(2).intermediateSize(32).labels(2).pooling(Pooling.MEAN).dropout(0.1)
                .layerNormEps(1e-12).build();
        assertThatThrownBy(() -> Strategy.encoderOnly().trainable(bert)).hasMessageContaining(
                "encoder-only fine-tuning needs an encoder-decoder");
        assertThatThrownBy(() -> Strategy.headOnly().trainable(SMALL)).hasMessageContaining("no separate head");
    }

    @Test
    void loraAdaptsEveryAttentionAndMergesIntoAPlainModel() {
        Lora lora = new Lora(2, 4, Set.of(Lora.Target.QUERY, Lora.Target.VALUE, Lora.Target.INTERMEDIATE));
        // Per block: the encoder's self-attention q, v and wi; the decoder's self- and cross-attention q, v and wi.
        assertThat(lora.prefixes(SMALL)).hasSize(2 * 3 + 2 * 5).contains(
                "decoder.block.1.layer.1.EncDecAttention.v", "decoder.block.0.layer.2.DenseReluDense.wi");
        List<int[][]> data = translations(64, 4);
        Weights initial = Weights.initialise(SMALL, 6);
        TrainingConfig tc = TrainingConfig.builder().learningRate(1e-2).batchSize(16).epochs(1).weightDecay(0.0)
                .warmupRatio(0.0).maxGradNorm(1.0).seed(5).dropout(0).patience(0).labelSmoothing(0).threads(1).build();
        Trainer.Result r = Trainer.trainSeq2Seq(SMALL, initial, column(data, 0), column(data, 1), column(data, 0),
                column(data, 1), PAD, PAD, tc, Strategy.lora(lora), TrainingListener.NONE, Checkpoint.Store.NONE);
        Set<String> adapted = Set.copyOf(lora.prefixes(SMALL).stream().map(p -> p + ".weight").toList());
        for (String name : initial.tensors().keySet()) {
            if (adapted.contains(name)) {
                assertThat(r.weights().get(name).values()).as(name).isNotEqualTo(initial.get(name).values());
            } else {
                assertThat(r.weights().get(name).values()).as(name).isEqualTo(initial.get(name).values());
            }
        }
        // A few steps by hand, so the adapted graph itself can be asked: the merged weights in a plain graph
        // answer as it does.
        Batch batch = Batch.of(new int[][]{{5, 6, 7, EOS}, {8, 9, EOS}}, PAD, 1, 16).withDecoder(Batch.of(new int[][]{
                {PAD, 15, 16, 17}, {PAD, 18, 19}}, PAD, 1, 16));
        int[] y = {15, 16, 17, EOS, 18, 19, EOS, -1};
        Set<String> trainable = Strategy.lora(lora).trainable(SMALL);
        try (TransformerGraph adaptedGraph = TransformerGraph.create(SMALL, initial,
                GraphOptions.training(trainable).seed(9).threads(1).lora(lora).build())) {
            for (int step = 0; step < 5; step++) {
                adaptedGraph.trainStep(batch, y, new UpdateStep(step, 1e-2, 0, 1.0, 0));
            }
            float[][][] expected = adaptedGraph.predictTokens(batch);
            try (TransformerGraph plain = TransformerGraph.create(SMALL, adaptedGraph.weights(), GraphOptions
                    .inference(1));
                    TransformerGraph base = TransformerGraph.create(SMALL, initial, GraphOptions.inference(1))) {
                float[][][] served = plain.predictTokens(batch);
                float[][][] before = base.predictTokens(batch);
                for (int i = 0; i < 2; i++) {
                    for (int t = 0; t < 3; t++) {
                        for (int k = 0; k < VOCAB; k++) {
                            assertThat(served[i][t][k]).isCloseTo(expected[i][t][k], within(1e-5f));
                        }
                    }
                }
                assertThat(expected[0][1]).isNotEqualTo(before[0][1]);
            }
        }
    }

    /** Source/target pairs: 2-5 words from 2..11, each mapped to word + 10 in the target, both ending with EOS. */
    static List<int[][]> translations(int n, long seed) {
        Random random = new Random(seed);
        List<int[][]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 2 + random.nextInt(4);
            int[] source = new int[len + 1];
            int[] target = new int[len + 1];
            for (int t = 0; t < len; t++) {
                source[t] = 2 + random.nextInt(10);
                target[t] = source[t] + 10;
            }
            source[len] = EOS;
            target[len] = EOS;
            out.add(new int[][]{source, target});
        }
        return out;
    }

    static List<int[]> column(List<int[][]> pairs, int i) {
        return pairs.stream().map(p -> p[i]).toList();
    }
}
