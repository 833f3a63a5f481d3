package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * The GPT-style decoder on small random configurations (no GPT weights can be had from the reachable registries): the
 * causal mask hides the future, a language model learns a tiny language, and a last-token classifier learns a task.
 */
class DecoderTest {

    static final String[] NUMBERS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};

    @Test
    void noPositionSeesTheFuture() {
        TransformerConfig cfg = TransformerConfig.decoderBuilder().vocabSize(30).maxPositions(8).hiddenSize(16)
                .layers(2).heads(2).intermediateSize(24).labels(0).head(Head.LANGUAGE_MODEL).dropout(0).build();
        Weights w = GradientCheckTest.scaled(Weights.initialise(cfg, 3), 10);
        assertThat(w.tensors().keySet()).contains(ParamSpec.FINAL_LN + ".weight").doesNotContain(
                ParamSpec.TYPE_EMBEDDINGS, "classifier.weight");
        try (TransformerGraph g = TransformerGraph.create(cfg, w, GraphOptions.inference(1))) {
            float[][][] a = g.predictTokens(Batch.of(new int[][]{{1, 5, 7, 9, 11}}, 0, 1, 8));
            float[][][] b = g.predictTokens(Batch.of(new int[][]{{1, 5, 7, 20, 3}}, 0, 1, 8));
            // Positions 0..2 are the same in both; what follows differs and must not matter to them.
            for (int t = 0; t < 3; t++) {
                for (int k = 0; k < 30; k++) {
                    assertThat(b[0][t][k]).isCloseTo(a[0][t][k], within(1e-6f));
                }
            }
            assertThat(b[0][3]).isNotEqualTo(a[0][3]);
        }
    }

    @Test
    void aLanguageModelLearnsToCount() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 12)) {
            TransformerConfig cfg = TransformerConfig.decoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(12)
                    .hiddenSize(32).layers(2).heads(2).intermediateSize(64).labels(0).head(Head.LANGUAGE_MODEL)
                    .dropout(0.0).build();
            List<String> train = counting(300, 1);
            List<String> validation = counting(50, 2);
            Trainer.Result r = Trainer.trainLanguageModel(cfg, Weights.initialise(cfg, 5), tokenizer, train,
                    validation,
                    TrainingConfig.builder().learningRate(5e-3).batchSize(16).epochs(10).weightDecay(0.01)
                            .warmupRatio(0.1).maxGradNorm(1.0).seed(42).dropout(0).patience(0).labelSmoothing(0)
                            .threads(1).build(),
                    Strategy.full(),
                    TrainingListener.NONE, Checkpoint.Store.NONE);
            // Of the L + 1 predictions of a text of L words, the first word and the end are guesses and the other
            // L - 1 follow from the word before: about 0.71 is the most there is to get.
            assertThat(r.best().validationScore()).isGreaterThan(0.6);
            try (TransformerGraph g = TransformerGraph.create(cfg, r.weights(), GraphOptions.inference(1))) {
                int[] prompt = tokenizer.encode("three four five");
                // Without the closing [SEP]: the next token after "five" is read at the last word's position.
                int[] open = java.util.Arrays.copyOf(prompt, prompt.length - 1);
                float[][][] p = g.predictTokens(Batch.of(new int[][]{open}, tokenizer.padId(), 1, 12));
                int next = Predictor.argMax(p[0][open.length - 1]);
                assertThat(next).isEqualTo(tokenizer.encode("six")[1]);
            }
        }
    }

    @Test
    void aLastTokenClassifierLearnsATask() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            TransformerConfig cfg = TransformerConfig.decoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16)
                    .hiddenSize(32).layers(2).heads(2).intermediateSize(64).labels(2).pooling(Pooling.LAST).dropout(0.1)
                    .build();
            List<LabelledText> train = EncoderTrainingTest.data(320, 1);
            List<LabelledText> validation = EncoderTrainingTest.data(100, 2);
            Trainer.Result r = Trainer.train(cfg, Weights.initialise(cfg, 42), tokenizer, train, validation,
                    EncoderTrainingTest.hp(), TrainingListener.NONE);
            assertThat(r.best().validationScore()).isGreaterThanOrEqualTo(0.9);
            assertThat(cfg.parameterCount()).isEqualTo(ParamSpec.forConfig(cfg).stream().mapToLong(ParamSpec::size)
                    .sum());
        }
    }

    /** Runs of consecutive number words from one to ten, 4 to 8 words long. */
    static List<String> counting(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 4 + r.nextInt(5);
            int start = r.nextInt(NUMBERS.length - length + 1);
            out.add(String.join(" ", java.util.Arrays.copyOfRange(NUMBERS, start, start + length)));
        }
        return out;
    }
}
