package io.finetide.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import io.finetide.bench.LabelledSets.Dataset;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.distill.Students;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.heads.DistillationLoss;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.Predictor;
import io.finetide.model.metrics.ClassificationReport;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.DistilledText;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Teacher and student side by side: a pretrained base fine-tuned on a public set (the teacher), a student with fewer
 * layers made from every other one of the teacher's and distilled on its soft labels over the labelled texts and,
 * optionally, more texts whose labels are dropped; and, for what the teacher adds, the same student made from the
 * pretrained base's layers and fine-tuned on the hard labels alone. Each is tested on the set's test split; size and
 * serving speed are measured interleaved on one machine (one text per call, then the test set in batches), so the
 * ratios hold where the absolute figures do not.
 */
final class DistillationBenchmark {

    record Options(String dataset, String base, int trainCap, int unlabelled, int epochs, double learningRate,
            int batchSize, int maxLength, int studentLayers, double temperature, double hardWeight, int probes,
            int threads) {
    }

    private record Model(String name, TransformerConfig config, Weights weights, Trainer.Result training) {
    }

    private final Path datasets;
    private final Options o;
    private final Consumer<String> say;

    DistillationBenchmark(Path datasets, Options options, Consumer<String> say) {
        this.datasets = datasets;
        this.o = options;
        this.say = say;
    }

    String run() {
        Dataset d = new LabelledSets(datasets).load(o.dataset());
        List<LabelledText> pool = LabelledSets.cap(d.train(), 0, 7);
        int labelledCount = o.trainCap() > 0 ? Math.min(o.trainCap(), pool.size()) : pool.size();
        List<LabelledText> labelled = pool.subList(0, labelledCount);
        List<LabelledText> unlabelled = pool.subList(labelledCount, Math.min(pool.size(), labelledCount + o
                .unlabelled()));
        say.accept(d.name() + ": " + labelled.size() + " labelled and " + unlabelled.size() + " unlabelled training "
                + "texts, validation " + d.validation().size() + ", test " + d.test().size());
        HeadSpec head = HeadSpec.sequence(d.labels().size(), PretrainedEncoders.base(o.base()).pooling());
        TransformerConfig teacherConfig = PretrainedEncoders.config(o.base(), head, 0.1);
        Weights pretrained = PretrainedEncoders.load(o.base(), head, 0.1, 3).weights();
        try (Tokenizer tokenizer = Tokenizer.builtin(PretrainedEncoders.base(o.base()).tokenizer(), o.maxLength())) {
            Trainer.Result taught = Trainer.train(teacherConfig, pretrained, tokenizer, labelled, d.validation(),
                    recipe(), Strategy.full(), listener("teacher"));
            Model teacher = new Model("teacher (" + o.base() + ")", teacherConfig, taught.weights(), taught);

            List<String> texts = new ArrayList<>(labelled.stream().map(LabelledText::text).toList());
            texts.addAll(unlabelled.stream().map(LabelledText::text).toList());
            float[][] soft = probabilities(teacher, tokenizer, texts);
            List<DistilledText> distilled = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                distilled.add(new DistilledText(texts.get(i), i < labelled.size()
                        ? labelled.get(i).label()
                        : DistilledText.UNLABELLED, soft[i]));
            }
            Students.Student fromTeacher = Students.fromTeacher(teacherConfig, teacher.weights(), o.studentLayers());
            say.accept("student: teacher layers " + Arrays.toString(fromTeacher.teacherLayers()));
            Trainer.Result learned = Trainer.distil(fromTeacher.config(), fromTeacher.weights(), tokenizer, distilled,
                    d.validation(), new DistillationLoss(o.temperature(), o.hardWeight()), recipe(), Strategy.full(),
                    listener("student"), Checkpoint.Store.NONE);
            Model student = new Model("student, distilled", fromTeacher.config(), learned.weights(), learned);

            Students.Student fromBase = Students.fromTeacher(teacherConfig, pretrained, o.studentLayers());
            Trainer.Result alone = Trainer.train(fromBase.config(), fromBase.weights(), tokenizer, labelled, d
                    .validation(), recipe(), Strategy.full(), listener("student alone"));
            Model baseline = new Model("student, fine-tuned alone", fromBase.config(), alone.weights(), alone);
            return table(d, tokenizer, List.of(teacher, student, baseline));
        }
    }

    private TrainingConfig recipe() {
        return TrainingConfig.builder().learningRate(o.learningRate()).batchSize(o.batchSize()).epochs(o.epochs())
                .weightDecay(0.01).warmupRatio(0.1).maxGradNorm(1.0).seed(42).dropout(0.1).patience(0)
                .labelSmoothing(0).threads(o.threads()).build();
    }

    private TrainingListener listener(String who) {
        return new TrainingListener() {
            @Override
            public void epochEnded(Epoch e) {
                say.accept(String.format(Locale.ROOT, "%s epoch %d/%d: train loss %.4f, validation accuracy %.4f "
                        + "(%d s)", who, e.epoch(), e.epochs(), e.trainLoss(), e.validationScore(), e.millis() / 1000));
            }
        };
    }

    private float[][] probabilities(Model m, Tokenizer tokenizer, List<String> texts) {
        try (TransformerGraph g = TransformerGraph.create(m.config(), m.weights(), GraphOptions.inference(o
                .threads()))) {
            return Predictor.probabilities(g, tokenizer.encodeAll(texts), tokenizer.padId(), Math.min(tokenizer
                    .maxLength(), m.config().maxPositions()));
        }
    }

    private String table(Dataset d, Tokenizer tokenizer, List<Model> models) {
        List<String> test = d.test().stream().map(LabelledText::text).toList();
        int[] truth = d.test().stream().mapToInt(LabelledText::label).toArray();
        List<ModelBundle> bundles = models.stream().map(m -> new ModelBundle(m.config(), tokenizer.name(), tokenizer
                .maxLength(), tokenizer.truncation(), d.labels(), m.weights(), tokenizer.json(), Map.of())).toList();
        double[][] latency = new double[models.size()][o.probes()];
        double[] batchMs = new double[models.size()];
        int[][] predicted = new int[models.size()][];
        List<Classifier> classifiers = bundles.stream().map(b -> Classifier.load(b, o.threads())).toList();
        try {
            for (int i = 0; i < models.size(); i++) {
                predicted[i] = classifiers.get(i).predictIndices(test);
            }
            // Interleaved, one text per call: a noisy neighbour slows all models alike.
            for (int p = 0; p < o.probes(); p++) {
                List<String> one = List.of(test.get(p % test.size()));
                for (int i = 0; i < models.size(); i++) {
                    long t0 = System.nanoTime();
                    classifiers.get(i).probabilities(one);
                    latency[i][p] = (System.nanoTime() - t0) / 1e6;
                }
            }
            for (int i = 0; i < models.size(); i++) {
                long t0 = System.nanoTime();
                classifiers.get(i).probabilities(test);
                batchMs[i] = (System.nanoTime() - t0) / 1e6 / test.size();
            }
        } finally {
            classifiers.forEach(Classifier::close);
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%s, %d labelled + %d unlabelled training texts, %d epochs, lr %s, "
                + "temperature %s, hard-label weight %s, %d probes, %d threads%n%n", d.name(),
                o.trainCap() > 0
                        ? Math
                                .min(o.trainCap(), d.train().size())
                        : d.train().size(),
                o.unlabelled(), o.epochs(), o.learningRate(), o.temperature(), o.hardWeight(), o.probes(),
                o.threads()));
        md.append("| model | layers | parameters | bundle | test accuracy | macro-F1 | agreement with teacher | "
                + "latency p50, one text | vs teacher | batched, per text | vs teacher | training |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        double teacherP50 = median(latency[0]);
        for (int i = 0; i < models.size(); i++) {
            Model m = models.get(i);
            ClassificationReport report = ClassificationReport.of(truth, predicted[i], d.labels());
            int agree = 0;
            for (int k = 0; k < truth.length; k++) {
                agree += predicted[i][k] == predicted[0][k] ? 1 : 0;
            }
            double p50 = median(latency[i]);
            md.append(String.format(Locale.ROOT,
                    "| %s | %d | %.1f M | %.1f MB | **%.4f** | %.4f | %.4f | %.2f ms | %.2f | %.2f ms | %.2f | "
                            + "%d steps, %d s |%n",
                    m.name(), m.config().layers(), m.config().parameterCount() / 1e6, bundles.get(i).toBytes().length
                            / 1e6,
                    report.accuracy(), report.macroF1(), agree / (double) truth.length, p50, p50 / teacherP50,
                    batchMs[i], batchMs[i] / batchMs[0], m.training().steps(), m.training().millis() / 1000));
        }
        return md.toString();
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }
}
