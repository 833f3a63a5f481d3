package io.finetide.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

import io.finetide.bench.LabelledSets.Dataset;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.proto.v1.SequenceLength;

/**
 * What choosing the sequence length from the data is worth on long texts: the platform's choice
 * ({@link SequenceLengths#chosen}, as preprocessing makes it for a task that leaves {@code maxSeqLen} out) measured on
 * the passages of {@link AustenPassages}, then the same fine-tuning at the length such a task had before (64 tokens)
 * and at the chosen one, tested on the same passages.
 */
final class LongTextBenchmark {

    /** How the set is cut and the model fine-tuned. */
    record Options(String base, int passageWords, int trainCap, int epochs, double learningRate, int batchSize,
            int threads) {
    }

    /** The length tasks without {@code maxSeqLen} had before it was chosen from the data. */
    static final int FORMER_DEFAULT = SequenceLengths.BUCKETS[0];

    private final Path rdb;
    private final Options o;
    private final Consumer<String> say;

    LongTextBenchmark(Path rdb, Options options, Consumer<String> say) {
        this.rdb = rdb;
        this.o = options;
        this.say = say;
    }

    String run() {
        Dataset d = AustenPassages.load(rdb, o.passageWords());
        List<LabelledText> train = LabelledSets.cap(d.train(), o.trainCap(), 7);
        PretrainedEncoders.Base base = PretrainedEncoders.base(o.base());
        int positions = base.shape().positions();
        long[] lengths = new long[positions + 1];
        List<LabelledText> all = new ArrayList<>(train);
        all.addAll(d.validation());
        all.addAll(d.test());
        try (Tokenizer measuring = Tokenizer.builtin(base.tokenizer(), positions)) {
            for (LabelledText t : all) {
                lengths[measuring.encode(t.text()).length]++;
            }
        }
        SequenceLength chosen = SequenceLengths.chosen(lengths, Math.min(SequenceLengths.COMPUTE_BUDGET, positions));
        say.accept(String.format(Locale.ROOT, "austen: %d passages of %d words (train %d of %d, validation %d, test "
                + "%d); chosen length %d (cap %d), %.1f%% cut at it, %.1f%% at %d", all.size(), o.passageWords(),
                train
                        .size(),
                d.train().size(), d.validation().size(), d.test().size(), chosen.getMaxSeqLen(), chosen.getCap(), 100
                        * chosen.getTruncatedShare(),
                100 * SequenceLengths.truncatedShare(lengths, FORMER_DEFAULT), FORMER_DEFAULT));
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Passages of %d words from Jane Austen's six novels (which novel, 6 classes): train %d, validation "
                        + "%d, test %d; median %d tokens. Chosen from the data: **%d tokens** (cap %d).%n%n",
                o.passageWords(), train.size(), d.validation().size(), d.test().size(), median(lengths), chosen
                        .getMaxSeqLen(),
                chosen.getCap()));
        md.append("| sequence length | passages cut | training time | best epoch | validation accuracy | "
                + "test accuracy | test macro-F1 | peak resident memory so far |\n|---|---|---|---|---|---|---|---|\n");
        for (int length : new LinkedHashSet<>(List.of(FORMER_DEFAULT, chosen.getMaxSeqLen()))) {
            QualityBenchmark.Outcome out = new QualityBenchmark(rdb.getParent(), new QualityBenchmark.Options(
                    "austen", o.base(), o.trainCap(), o.epochs(), o.learningRate(), o.batchSize(), length, "full",
                    false, false, o.threads(), Optional.empty()), say).fineTuneFromBase(d, train);
            md.append(String.format(Locale.ROOT, "| %d%s | %.1f%% | %d s | %d | %.4f | **%.4f** | %.4f | %.0f MB |%n",
                    length,
                    length == chosen.getMaxSeqLen() ? " (chosen)" : " (the former default)", 100 * SequenceLengths
                            .truncatedShare(lengths, length),
                    out.result().millis() / 1000, out.result().bestEpoch(), out.result().best().validationScore(), out
                            .report().accuracy(),
                    out.report().macroF1(), PeersBenchmark.peakRssMb()));
        }
        return md.toString();
    }

    private static int median(long[] lengths) {
        long total = 0;
        for (long n : lengths) {
            total += n;
        }
        long seen = 0;
        for (int i = 0; i < lengths.length; i++) {
            seen += lengths[i];
            if (2 * seen >= total) {
                return i;
            }
        }
        return lengths.length - 1;
    }
}
