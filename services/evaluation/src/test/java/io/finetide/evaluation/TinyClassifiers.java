package io.finetide.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import org.bson.Document;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.store.ArtifactStore;

/**
 * Small fruit-or-vehicle classifiers trained in seconds, and the rows they learn from: what the gate's flow tests put
 * in front of it. Rows carry a {@code branch}: the north branch writes about other fruits and vehicles than the south
 * one, so a model can be taught to get one branch wrong.
 */
final class TinyClassifiers {

    static final List<String> LABELS = List.of("vehicle", "fruit");
    static final String[] SOUTH_FRUIT = {"apple", "banana", "cherry", "grape"};
    static final String[] SOUTH_VEHICLE = {"car", "truck", "bus", "boat"};
    static final String[] NORTH_FRUIT = {"kiwi", "plum"};
    static final String[] NORTH_VEHICLE = {"van", "tram"};

    private TinyClassifiers() {
    }

    /**
     * @param northEvery every how many rows is of the north branch
     * @param golden     test rows of the golden set; later test rows are the recent set
     */
    static List<SnapshotFile.Row> branchRows(String prefix, int n, int northEvery, int golden, long seed) {
        Random r = new Random(seed);
        List<SnapshotFile.Row> out = new ArrayList<>();
        int tests = 0;
        for (int i = 0; i < n; i++) {
            boolean north = i % northEvery == 0;
            boolean fruit = r.nextBoolean();
            String[] words = north ? (fruit ? NORTH_FRUIT : NORTH_VEHICLE) : (fruit ? SOUTH_FRUIT : SOUTH_VEHICLE);
            String split = i % 3 == 1 ? "TEST" : i % 9 == 2 ? "VALIDATION" : "TRAIN";
            String subset = "";
            if (split.equals("TEST")) {
                subset = tests++ < golden ? SnapshotFile.GOLDEN : SnapshotFile.RECENT;
            }
            out.add(new SnapshotFile.Row(String.format("%s%04d", prefix, i), "my " + words[r.nextInt(words.length)]
                    + " is here", fruit ? "fruit" : "vehicle", split, subset, List.of(), List.of(),
                    Map.of("branch",
                            north ? "north" : "south")));
        }
        return out;
    }

    static TransformerConfig config(Tokenizer tokenizer) {
        return TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize()).maxPositions(16).typeVocabSize(2)
                .hiddenSize(32).layers(1).heads(2).intermediateSize(64).labels(2).pooling(Pooling.MEAN).dropout(0)
                .layerNormEps(1e-12).build();
    }

    /**
     * A classifier trained on the training rows with the labels {@code teach} gives them (the truth, a wrong label for
     * some, or a shuffled one).
     */
    static Weights train(Tokenizer tokenizer, List<SnapshotFile.Row> rows, Function<SnapshotFile.Row, String> teach,
            long seed) {
        TransformerConfig cfg = config(tokenizer);
        List<LabelledText> train = rows.stream().filter(r -> r.split().equals("TRAIN")).map(r -> new LabelledText(r
                .text(), LABELS.indexOf(teach.apply(r)))).toList();
        return Trainer.train(cfg, Weights.initialise(cfg, seed), tokenizer, train, train, TrainingConfig.builder()
                .learningRate(3e-3).batchSize(16).epochs(3).weightDecay(0.01).warmupRatio(0.1).maxGradNorm(1).seed(
                        seed)
                .dropout(0).patience(0).labelSmoothing(0).threads(1).build(), TrainingListener.NONE).weights();
    }

    static String put(ArtifactStore store, String task, String id, Tokenizer tokenizer, Weights weights) {
        ModelBundle b = new ModelBundle(config(tokenizer), tokenizer.name(), tokenizer.maxLength(), tokenizer
                .truncation(), LABELS, weights, tokenizer.json(), Map.of("id", id));
        String artifact = "models/" + task + "/" + id + ".zip";
        store.putOnce(artifact, b.toBytes(), new Document());
        return artifact;
    }
}
