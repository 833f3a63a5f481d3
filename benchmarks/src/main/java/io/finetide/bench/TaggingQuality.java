package io.finetide.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Consumer;

import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.metrics.EntityF1;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TaggedWords;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.HeadSpec;

/**
 * WNUT-17 emerging entities: BIO tagging of tweets and forum posts, entity-level F1 as seqeval computes it, on the
 * published test file after choosing the epoch on the dev file.
 *
 * <p>
 * With {@code --refit}, a second run from the base on the training and dev files together, for the epoch count the
 * first run chose on dev, keeping its last epoch (nothing is left to choose with): the shared task's data are small
 * (3,394 training sentences) and its dev file (1,009 more) comes from other sites than the training tweets, as the
 * test file does. With {@code --peer}, the PyTorch peer does the same, with the epoch count its own first run chose.
 */
final class TaggingQuality {

    private final Path dir;
    private final QualityBenchmark.Options o;
    private final Consumer<String> say;

    TaggingQuality(Path dir, QualityBenchmark.Options options, Consumer<String> say) {
        this.dir = dir;
        this.o = options;
        this.say = say;
    }

    /** Test entity F1 read as served (long sentences in windows) and cut at the length, as the model trained. */
    private record Scored(EntityF1 served, EntityF1 cut) {
    }

    String run() {
        List<List<String[]>> train = LabelledSets.conll(dir.resolve("wnut17train.conll"));
        List<List<String[]>> dev = LabelledSets.conll(dir.resolve("emerging.dev.conll"));
        List<List<String[]>> test = LabelledSets.conll(dir.resolve("emerging.test.annotated"));
        TreeSet<String> types = new TreeSet<>();
        train.forEach(sentence -> sentence.forEach(w -> {
            if (!w[1].equals("O")) {
                types.add(w[1].substring(2));
            }
        }));
        List<String> tags = new ArrayList<>(List.of("O"));
        types.forEach(t -> tags.addAll(List.of("B-" + t, "I-" + t)));
        List<TaggedWords> trainSet = LabelledSets.tagged(train, tags);
        if (o.trainCap() > 0 && o.trainCap() < trainSet.size()) {
            trainSet = trainSet.subList(0, o.trainCap());
        }
        List<TaggedWords> devSet = LabelledSets.tagged(dev, tags);
        List<TaggedWords> testSet = LabelledSets.tagged(test, tags);
        say.accept("wnut17: train " + trainSet.size() + ", dev " + devSet.size() + ", test " + testSet.size()
                + " sentences, tags " + tags);
        PretrainedEncoders.Pretrained pre = PretrainedEncoders.load(o.base(), HeadSpec.tokens(tags.size()), 0.1, 3);
        try (Tokenizer tokenizer = Tokenizer.builtin(PretrainedEncoders.base(o.base()).tokenizer(), o.maxLength())) {
            int length = Math.min(tokenizer.maxLength(), pre.config().maxPositions());
            Trainer.Result r = fit(pre, tokenizer, tags, trainSet, devSet, o.epochs(),
                    TrainingConfig.Selection.ACCURACY);
            Scored ours = score(pre, r, tokenizer, tags, testSet);
            StringBuilder md = new StringBuilder("| dataset | base | run | max length | train sentences | epochs | "
                    + "steps | training time | best epoch | dev entity F1 | test entity F1 (P / R) | test F1 cut at "
                    + "the length | per type F1 | aim |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            md.append(row(o.strategy() + ", the epoch chosen on dev", length, trainSet.size(), o.epochs(), r,
                    String.format(Locale.ROOT, "%.4f", r.best().validationScore()), ours));
            List<TaggedWords> trainAndDev = new ArrayList<>(trainSet);
            trainAndDev.addAll(devSet);
            Trainer.Result refit = null;
            Scored oursRefit = null;
            if (o.refit()) {
                refit = fit(pre, tokenizer, tags, trainAndDev, devSet, r.bestEpoch(),
                        TrainingConfig.Selection.LAST_EPOCH);
                oursRefit = score(pre, refit, tokenizer, tags, testSet);
                md.append(row(o.strategy() + ", refit on train and dev for " + r.bestEpoch() + " epochs", length,
                        trainAndDev.size(), r.bestEpoch(), refit, "(trained on)", oursRefit));
            }
            if (o.peer().isPresent()) {
                md.append(String.format(Locale.ROOT, "%n| wnut17, both cut at the length | steps | training time | "
                        + "epochs | kept epoch | dev entity F1 | test entity F1 (P / R) |%n|---|---|---|---|---|---|---|%n"));
                TaggingPeer.Result peer = peer(pre, tokenizer, tags, trainSet, devSet, testSet, o.epochs(), false);
                md.append(peerRows("", r, ours.cut(), peer, true));
                if (o.refit()) {
                    TaggingPeer.Result peerRefit = peer(pre, tokenizer, tags, trainAndDev, devSet, testSet, peer
                            .bestEpoch(), true);
                    md.append(peerRows(", refit on train and dev", refit, oursRefit.cut(), peerRefit, false));
                }
            }
            return md.toString();
        }
    }

    private Trainer.Result fit(PretrainedEncoders.Pretrained pre, Tokenizer tokenizer, List<String> tags,
            List<TaggedWords> train, List<TaggedWords> dev, int epochs, TrainingConfig.Selection selection) {
        TrainingConfig tc = o.recipe(epochs).withSelection(selection);
        return Trainer.trainTokens(pre.config(), pre.weights(), tokenizer, train, dev, tags, tc, Strategy.parse(o
                .strategy()), progress(), Checkpoint.Store.NONE);
    }

    private Scored score(PretrainedEncoders.Pretrained pre, Trainer.Result r, Tokenizer tokenizer, List<String> tags,
            List<TaggedWords> testSet) {
        List<List<String>> truth = testSet.stream().map(t -> t.tagNames(tags)).toList();
        int length = Math.min(tokenizer.maxLength(), pre.config().maxPositions());
        try (TransformerGraph g = TransformerGraph.create(pre.config(), r.weights(), GraphOptions.inference(o
                .threads()))) {
            // As served (Tagger): a sentence longer than the model reads is read whole, in windows; beside it the
            // reading cut at the length, as the model was trained and the PyTorch peer reads.
            EntityF1 served = EntityF1.of(truth, Predictor.wordProbabilitiesInWindows(g, testSet.stream().map(
                    t -> tokenizer.encodeWordsWhole(t.words())).toList(), tokenizer.padId(), length).stream().map(
                            p -> Predictor.argMaxTags(p, tags))
                    .toList());
            EntityF1 cut = EntityF1.of(truth, Predictor.wordProbabilities(g, testSet.stream().map(t -> tokenizer
                    .encodeWords(t.words())).toList(), tokenizer.padId(), length).stream().map(p -> Predictor
                            .argMaxTags(p, tags))
                    .toList());
            say.accept(String.format(Locale.ROOT, "test entity F1 %.4f (precision %.4f, recall %.4f); cut at %d "
                    + "tokens %.4f", served.f1(), served.precision(), served.recall(), length, cut.f1()));
            return new Scored(served, cut);
        }
    }

    private String row(String run, int length, int sentences, int epochs, Trainer.Result r, String dev, Scored s) {
        StringBuilder perType = new StringBuilder();
        s.served().perType().forEach((type, v) -> perType.append(perType.isEmpty() ? "" : ", ").append(String
                .format(Locale.ROOT, "%s %.3f", type, v.f1())));
        return String.format(Locale.ROOT, "| wnut17 | %s | %s | %d | %d | %d | %d | %d s | %d | %s | **%.4f** (%.4f / "
                + "%.4f) | %.4f | %s | entity F1 >= 0.45 |%n", o.base(), run, length, sentences, epochs, r.steps(),
                r
                        .millis() / 1000,
                r.bestEpoch(), dev, s.served().f1(), s.served().precision(), s.served()
                        .recall(),
                s.cut().f1(), perType);
    }

    private TaggingPeer.Result peer(PretrainedEncoders.Pretrained pre, Tokenizer tokenizer, List<String> tags,
            List<TaggedWords> train, List<TaggedWords> dev, List<TaggedWords> test, int epochs, boolean keepLast) {
        try {
            return TaggingPeer.fineTune(o.peer().orElseThrow(), pre.config(), pre.weights(), tokenizer, tags,
                    new TaggingPeer.Run(train, dev, test, epochs, keepLast), o, say);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the peer ran", e);
        }
    }

    /** Ours and the peer's rows of one recipe, both read cut at the length, and how far apart they are on test. */
    private static String peerRows(String recipe, Trainer.Result ours, EntityF1 oursCut, TaggingPeer.Result peer,
            boolean devChosen) {
        String oursDev = devChosen ? String.format(Locale.ROOT, "%.4f", ours.best().validationScore()) : "(trained on)";
        String peerDev = devChosen ? String.format(Locale.ROOT, "%.4f", peer.devF1()) : "(trained on)";
        double gap = 100 * (oursCut.f1() - peer.test().f1());
        return String.format(Locale.ROOT, "| ours (TensorFlow Java)%s | %d | %d s | %d | %d | %s | **%.4f** (%.4f / "
                + "%.4f) |%n| %s%s | %d | %.0f s | %d | %d | %s | **%.4f** (%.4f / %.4f) |%n| ours minus "
                + "transformers%s: %+.2f points of test entity F1 (issue 19: within 1 point: %s) | | | | | | |%n",
                recipe, ours.steps(), ours.millis() / 1000, ours.history().size(), ours.bestEpoch(), oursDev,
                oursCut.f1(), oursCut.precision(), oursCut.recall(), peer.versions(), recipe, peer.steps(), peer
                        .seconds(),
                peer.epochs(), peer.bestEpoch(), peerDev, peer.test().f1(), peer.test()
                        .precision(),
                peer.test().recall(), recipe, gap, Math.abs(gap) <= 1 ? "yes" : "no");
    }

    private TrainingListener progress() {
        return new TrainingListener() {
            @Override
            public void started(int epochs, long totalSteps, int trainExamples) {
                say.accept("training: " + trainExamples + " examples, " + totalSteps + " steps");
            }

            @Override
            public void epochEnded(Epoch e) {
                say.accept(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f, validation %.4f (%d s)", e
                        .epoch(), e.epochs(), e.trainLoss(), e.validationScore(), e.millis() / 1000));
            }
        };
    }
}
