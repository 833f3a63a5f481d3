package io.finetide.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.Completion;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SnapshotFile;

/**
 * A small generation set for the services' tests: a prompt naming a fruit among filler words, and as completion the
 * fruit's colour, one word each; a model writes it only by reading the fruit. Rows are split 80/10/10 by position.
 */
public final class CompletionRows {

    public static final Map<String, String> COLOUR = Map.of("apple", "red", "banana", "yellow", "lime", "green",
            "grape", "purple", "plum", "blue", "coconut", "brown");
    private static final List<String> FRUIT = List.copyOf(new java.util.TreeSet<>(COLOUR.keySet()));
    private static final String[] FILLER = {"the", "a", "my", "old", "new", "fresh", "big", "small"};

    private CompletionRows() {
    }

    /**
     * A small decoder of MiniLM's vocabulary that writes these completions ({@code trained}: 15 epochs on 300 rows,
     * enough to get the colours right) or has only its random start, as a bundle ending completions with
     * {@link Gpt2Folders#END_OF_TEXT}.
     */
    public static ModelBundle writer(boolean trained) {
        try (Tokenizer tokenizer = Tokenizer.builtin("minilm-l6", 16)) {
            TransformerConfig cfg = TransformerConfig.decoderBuilder().vocabSize(tokenizer.vocabSize())
                    .maxPositions(16).hiddenSize(32).layers(2).heads(2).intermediateSize(64).labels(0).head(
                            Head.LANGUAGE_MODEL)
                    .dropout(0).build();
            Weights weights = Weights.initialise(cfg, 4);
            if (trained) {
                List<Completion> train = rows("w", 300, 2).stream().map(r -> Completion.encode(tokenizer, r.text(), r
                        .completion(), Gpt2Folders.END_OF_TEXT)).toList();
                weights = Trainer.trainCompletions(cfg, weights, train, train, tokenizer.padId(), TrainingConfig
                        .builder().learningRate(5e-3).batchSize(16).epochs(15).weightDecay(0.01).warmupRatio(0.1)
                        .maxGradNorm(1).seed(1).dropout(0).patience(0).labelSmoothing(0).threads(1).build(),
                        Strategy
                                .full(),
                        TrainingListener.NONE, Checkpoint.Store.NONE).weights();
            }
            return new ModelBundle(cfg, tokenizer.name(), tokenizer.maxLength(), tokenizer.truncation(), List.of(),
                    weights, tokenizer.json(), Map.of(ModelBundle.END_OF_TEXT, Gpt2Folders.END_OF_TEXT));
        }
    }

    /** The fruits of {@link #colourAndFruit}: a tiny random T5 learns three in ten epochs. */
    public static final List<String> TARGET_FRUIT = List.of("apple", "lime", "plum");

    /**
     * A small sequence-to-sequence set: an input naming a fruit among filler words, and as target its colour then the
     * fruit itself ("blue plum"); a model writes it only by reading the fruit, mapping it, and copying it.
     */
    public static List<SnapshotFile.Row> colourAndFruit(String prefix, int n, long seed) {
        Random r = new Random(seed);
        List<SnapshotFile.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String fruit = TARGET_FRUIT.get(r.nextInt(TARGET_FRUIT.size()));
            String input = FILLER[r.nextInt(FILLER.length)] + " " + FILLER[r.nextInt(FILLER.length)] + " " + fruit;
            String split = i % 10 == 0 ? "VALIDATION" : i % 10 == 1 ? "TEST" : "TRAIN";
            out.add(SnapshotFile.Row.completion(prefix + i, input, COLOUR.get(fruit) + " " + fruit, split));
        }
        return out;
    }

    public static List<SnapshotFile.Row> rows(String prefix, int n, long seed) {
        Random r = new Random(seed);
        List<SnapshotFile.Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String fruit = FRUIT.get(r.nextInt(FRUIT.size()));
            String prompt = FILLER[r.nextInt(FILLER.length)] + " " + FILLER[r.nextInt(FILLER.length)] + " " + fruit
                    + " is coloured";
            String split = i % 10 == 0 ? "VALIDATION" : i % 10 == 1 ? "TEST" : "TRAIN";
            out.add(SnapshotFile.Row.completion(prefix + i, prompt, COLOUR.get(fruit), split));
        }
        return out;
    }
}
