package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finetide.model.generate.Finish;
import io.finetide.model.generate.Generation;
import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.generate.Generator;
import io.finetide.model.generate.StopRule;
import io.finetide.model.generate.TokenListener;
import io.finetide.model.graph.DecodingGraph;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.Completion;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A tiny decoder learns to write the reverse of a prompt's symbols and stop, with the loss on the completion only,
 * and greedy generation through the key/value cache then reverses prompts it was not trained on.
 */
class CompletionTrainingTest {

    private static final int PAD = 0;
    private static final int END = 1;
    private static final int SEPARATOR = 2;
    private static final int FIRST_SYMBOL = 3;
    private static final int SYMBOLS = 10;

    @Test
    void aDecoderLearnsToReverseAndStop() {
        TransformerConfig config = TransformerConfig.decoderBuilder().vocabSize(FIRST_SYMBOL + SYMBOLS)
                .maxPositions(12).hiddenSize(64).layers(2).heads(4).intermediateSize(128).labels(0)
                .head(Head.LANGUAGE_MODEL).dropout(0).build();
        List<Completion> train = reversals(3000, 1);
        List<Completion> validation = reversals(200, 2);
        Trainer.Result r = Trainer.trainCompletions(config, Weights.initialise(config, 7), train, validation, PAD,
                TrainingConfig.builder().learningRate(3e-3).batchSize(32).epochs(8).weightDecay(0.01).warmupRatio(
                        0.1).maxGradNorm(1.0).seed(3).dropout(0).patience(0).labelSmoothing(0).threads(1).build(),
                Strategy.full(), TrainingListener.NONE, Checkpoint.Store.NONE);
        assertThat(r.best().validationScore()).isGreaterThan(0.95);
        int right = 0;
        List<Completion> unseen = reversals(100, 3);
        try (DecodingGraph graph = DecodingGraph.create(config, r.weights(), 1)) {
            for (Completion c : unseen) {
                Generation g = Generator.generate(graph, c.prompt(), END, GenerationSettings.greedy(8),
                        StopRule.NEVER, TokenListener.NONE);
                int[] expected = Arrays.copyOf(c.completion(), c.completion().length - 1);
                right += Arrays.equals(g.tokens(), expected) && g.finish() == Finish.END_OF_TEXT ? 1 : 0;
            }
        }
        assertThat(right).as("prompts reversed exactly, ending there, of 100").isGreaterThanOrEqualTo(90);
    }

    @Test
    void aLongExampleLosesTheCompletionsEndThenThePromptsStart() {
        Completion c = new Completion(new int[]{10, 11, 12, 13}, new int[]{20, 21, 22});
        assertThat(c.joined(10)).containsExactly(10, 11, 12, 13, 20, 21, 22);
        assertThat(c.joined(5)).containsExactly(12, 13, 20, 21, 22);
        assertThat(c.joined(3)).containsExactly(13, 20, 21);
    }

    /** 3 to 5 random symbols and the separator; the completion is the symbols reversed, then the end. */
    static List<Completion> reversals(int n, long seed) {
        Random random = new Random(seed);
        List<Completion> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 3 + random.nextInt(3);
            int[] prompt = new int[length + 1];
            int[] completion = new int[length + 1];
            for (int j = 0; j < length; j++) {
                prompt[j] = FIRST_SYMBOL + random.nextInt(SYMBOLS);
                completion[length - 1 - j] = prompt[j];
            }
            prompt[length] = SEPARATOR;
            completion[length] = END;
            out.add(new Completion(prompt, completion));
        }
        return out;
    }
}
