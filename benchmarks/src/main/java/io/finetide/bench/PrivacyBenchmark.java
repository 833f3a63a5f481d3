package io.finetide.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

import io.finetide.bench.LabelledSets.Dataset;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.infer.Predictor;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.privacy.DpSgd;
import io.finetide.model.privacy.MembershipInference;
import io.finetide.model.privacy.NoiseCalibration;
import io.finetide.model.privacy.RdpAccountant;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * What differential privacy buys and costs (docs/PRIVACY.md): a pretrained base fine-tuned on {@code members}
 * training examples without privacy and with DP-SGD at each target ε, each model then attacked by a loss-threshold
 * membership inference (the lower an example's loss, the likelier it was trained on): the AUC of telling the members
 * from as many non-members drawn from the same training pool, 0.5 being a coin. Also each model's test accuracy and
 * its training time against the non-private run's.
 */
final class PrivacyBenchmark {

    /**
     * @param strategies the non-private runs' strategies, each with its learning rate ({@code full:5e-5}): full
     *                   fine-tuning is the one that learns its members by heart
     * @param privateStrategy the private runs'
     */
    record Options(String dataset, String base, int members, int epochs, int privateEpochs,
            double privateLearningRate, int batchSize, int maxLength, List<String> strategies,
            String privateStrategy, List<Double> epsilons, double delta, double clipNorm, int threads) {
    }

    private final LabelledSets sets;
    private final Options o;
    private final Consumer<String> say;

    PrivacyBenchmark(java.nio.file.Path datasets, Options options, Consumer<String> say) {
        this.sets = new LabelledSets(datasets);
        this.o = options;
        this.say = say;
    }

    String run() {
        Dataset d = sets.load(o.dataset());
        List<LabelledText> pool = new ArrayList<>(d.train());
        Collections.shuffle(pool, new Random(13));
        List<LabelledText> members = pool.subList(0, o.members());
        List<LabelledText> nonMembers = pool.subList(o.members(), 2 * o.members());
        List<LabelledText> validation = LabelledSets.cap(d.validation(), 500, 5);
        HeadSpec head = HeadSpec.sequence(d.labels().size(), PretrainedEncoders.base(o.base()).pooling());
        PretrainedEncoders.Pretrained pre = PretrainedEncoders.load(o.base(), head, 0.1, 3);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%s, %s: %d members and %d non-members from the training pool, expected "
                + "batch %d, test %d examples; private runs: δ %.0e, clip %.2g%n%n", d.name(), o.base(),
                members
                        .size(),
                nonMembers.size(), o.batchSize(), d.test().size(), o.delta(), o.clipNorm()));
        md.append("| training | strategy | epochs | target ε | noise multiplier | ε spent | updates | training time | "
                + "time vs not private, same strategy | test accuracy | membership AUC (loss threshold) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        try (Tokenizer tokenizer = Tokenizer.builtin(PretrainedEncoders.base(o.base()).tokenizer(), o.maxLength())) {
            java.util.Map<String, Outcome> plain = new java.util.HashMap<>();
            for (String entry : o.strategies()) {
                String[] parts = entry.split(":");
                String strategy = parts[0];
                Outcome r = train(pre, tokenizer, members, validation, null, strategy, o.epochs(), Double.parseDouble(
                        parts.length > 1 ? parts[1] : "5e-5"));
                plain.put(strategy, r);
                md.append(row("not private", Double.NaN, r, null, tokenizer, members, nonMembers, d));
            }
            double q = DpSgd.samplingRate(members.size(), o.batchSize());
            long steps = DpSgd.updates(members.size(), o.batchSize(), o.privateEpochs());
            for (double epsilon : o.epsilons()) {
                double sigma = NoiseCalibration.noiseMultiplier(epsilon, o.delta(), q, steps, List.of());
                say.accept(String.format(Locale.ROOT, "ε %.1f: noise multiplier %.3f", epsilon, sigma));
                Outcome dp = train(pre, tokenizer, members, validation, new DpSgd(o.clipNorm(), sigma, new Random(
                        (long) (epsilon * 1000)).nextLong()), o.privateStrategy(), o.privateEpochs(), o
                                .privateLearningRate());
                md.append(row("DP-SGD", epsilon, dp, plain.get(o.privateStrategy()), tokenizer, members, nonMembers,
                        d));
            }
        }
        return md.toString();
    }

    record Outcome(Trainer.Result result, TransformerConfig config, DpSgd privacy, String strategy, int epochs) {
    }

    private Outcome train(PretrainedEncoders.Pretrained pre, Tokenizer tokenizer, List<LabelledText> members,
            List<LabelledText> validation, DpSgd privacy, String strategy, int epochs, double learningRate) {
        TrainingConfig tc = TrainingConfig.builder().learningRate(learningRate)
                .batchSize(o.batchSize()).epochs(epochs).weightDecay(0).warmupRatio(0.1)
                .maxGradNorm(privacy == null ? 1.0 : 0).seed(42).dropout(privacy == null ? 0.1 : 0).threads(o
                        .threads())
                .privacy(privacy).build();
        say.accept((privacy == null ? "not private" : privacy.toString()) + ", " + strategy + ": training on "
                + members.size());
        Trainer.Result r = Trainer.train(pre.config(), pre.weights(), tokenizer, members, validation, tc, Strategy
                .parse(strategy), new TrainingListener() {
                    @Override
                    public void epochEnded(Epoch e) {
                        say.accept(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f, validation accuracy "
                                + "%.4f (%d s)", e.epoch(), e.epochs(), e.trainLoss(), e.validationScore(),
                                e.millis()
                                        / 1000));
                    }
                });
        say.accept(String.format(Locale.ROOT, "learning rate %.1e", learningRate));
        say.accept(String.format(Locale.ROOT, "learning rate %.1e", learningRate));
        return new Outcome(r, pre.config(), privacy, strategy, epochs);
    }

    private String row(String training, double target, Outcome out, Outcome plain, Tokenizer tokenizer,
            List<LabelledText> members, List<LabelledText> nonMembers, Dataset d) {
        // The weights the run chose (its best epoch by validation): the model it would serve.
        Weights w = out.result().weights();
        double accuracy = accuracy(probabilities(out.config(), w, tokenizer, d.test()), d.test());
        double auc = MembershipInference.auc(losses(out.config(), w, tokenizer, members), losses(out.config(), w,
                tokenizer, nonMembers));
        String spent = out.privacy() == null
                ? "∞"
                : String.format(Locale.ROOT, "%.2f", RdpAccountant.epsilon(List.of(out.result().privacySpent()), o
                        .delta()));
        say.accept(String.format(Locale.ROOT, "%s: test accuracy %.4f, membership AUC %.4f", training, accuracy,
                auc));
        String ratio = plain == null
                ? "—"
                : String.format(Locale.ROOT, "%.1fx (per epoch)", (out.result().millis() / (double) out.epochs())
                        / Math.max(1.0, plain.result().millis() / (double) plain.epochs()));
        return String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %d | %d s | %s | %.4f | %.3f |%n",
                training, out.strategy(), out.epochs(), Double.isNaN(target)
                        ? "—"
                        : String.format(Locale.ROOT, "%.0f", target),
                out.privacy() == null
                        ? "—"
                        : String.format(Locale.ROOT, "%.3f", out.privacy().noiseMultiplier()),
                spent, out
                        .result().steps(),
                out.result().millis() / 1000, ratio, accuracy, auc);
    }

    private float[][] probabilities(TransformerConfig config, Weights w, Tokenizer tokenizer,
            List<LabelledText> texts) {
        int[][] ids = tokenizer.encodeAll(texts.stream().map(LabelledText::text).toList());
        try (TransformerGraph g = TransformerGraph.create(config, w, GraphOptions.inference(o.threads()))) {
            return Predictor.probabilities(g, ids, tokenizer.padId(), Math.min(tokenizer.maxLength(), config
                    .maxPositions()));
        }
    }

    private double[] losses(TransformerConfig config, Weights w, Tokenizer tokenizer, List<LabelledText> texts) {
        float[][] p = probabilities(config, w, tokenizer, texts);
        double[] loss = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            loss[i] = -Math.log(Math.max(1e-12, p[i][texts.get(i).label()]));
        }
        return loss;
    }

    private static double accuracy(float[][] p, List<LabelledText> texts) {
        int right = 0;
        for (int i = 0; i < p.length; i++) {
            right += Predictor.argMax(p[i]) == texts.get(i).label() ? 1 : 0;
        }
        return right / (double) p.length;
    }
}
