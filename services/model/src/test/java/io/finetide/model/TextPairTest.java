package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.LabelledPair;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;

/**
 * Pairs of texts: the tokenizer's template with segment ids, longest-first truncation that keeps the special tokens,
 * and a relation between two texts that a model learns only by looking at both. (That the segment embeddings are
 * used as BERT uses them is {@link OnnxParityTest}'s pair case.)
 */
class TextPairTest {

    @Test
    void pairsAreJoinedWithSegmentsAndCutLongestFirst() {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 12)) {
            Tokenizer.Pair p = tokenizer.encodePair("a red apple", "the bus");
            int[] a = tokenizer.encode("a red apple");
            int[] b = tokenizer.encode("the bus");
            // [CLS] a red apple [SEP] the bus [SEP]
            assertThat(p.ids()).hasSize(a.length + b.length - 1).startsWith(a).endsWith(java.util.Arrays.copyOfRange(b,
                    1, b.length));
            assertThat(p.typeIds()).containsExactly(0, 0, 0, 0, 0, 1, 1, 1);
            // 9 + 2 words and three special tokens in 12: the longer text loses its tail, the specials stay.
            Tokenizer.Pair cut = tokenizer.encodePair("one two three four five six seven eight nine", "the bus");
            assertThat(cut.ids()).hasSize(12).startsWith(tokenizer.encode("one two three four five six seven"))
                    .endsWith(java.util.Arrays.copyOfRange(b, 1, b.length));
            assertThat(cut.typeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1);
            // Equal lengths: the second text gives first.
            Tokenizer.Pair tie = tokenizer.encodePair("one two three four five", "six seven eight nine ten");
            assertThat(tie.typeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
        }
    }

    @Test
    void pretrainedMiniLmLearnsARelationBetweenTwoTexts() {
        // Either text alone says nothing about the label (each is a fruit or a vehicle half the time): only the two
        // together do. A small random encoder stays at chance on it (0.46-0.54 over 15 epochs, tried); MiniLM, which
        // knows that apples and plums are alike, learns it in two epochs (1.000 from the first).
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 32)) {
            PretrainedEncoders.Pretrained pre = PretrainedEncoders.load("minilm-l6", HeadSpec.sequence(2, Pooling.MEAN),
                    0.1, 3);
            Trainer.Result r = Trainer.trainPairs(pre.config(), pre.weights(), tokenizer, pairs(400, 1), pairs(200, 2),
                    TrainingConfig.builder().learningRate(1e-4).batchSize(16).epochs(2).weightDecay(0.01)
                            .warmupRatio(0.1).maxGradNorm(1.0).seed(42).dropout(0.1).patience(0).labelSmoothing(0)
                            .threads(2).build(),
                    Strategy.full(),
                    TrainingListener.NONE, Checkpoint.Store.NONE);
            assertThat(r.best().validationScore()).isGreaterThan(0.9);
        }
    }

    /** Label 1 when both texts name the same kind of thing (two fruits or two vehicles), 0 otherwise. */
    static List<LabelledPair> pairs(int n, long seed) {
        List<LabelledText> a = EncoderTrainingTest.data(n, seed);
        List<LabelledText> b = EncoderTrainingTest.data(n, seed + 100);
        List<LabelledPair> out = new ArrayList<>();
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            boolean swap = r.nextBoolean();
            LabelledText x = swap ? b.get(i) : a.get(i);
            LabelledText y = swap ? a.get(i) : b.get(i);
            out.add(new LabelledPair(x.text(), y.text(), x.label() == y.label() ? 1 : 0));
        }
        return out;
    }
}
