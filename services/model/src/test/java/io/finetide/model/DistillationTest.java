package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.finetide.model.distill.SoftLabels;
import io.finetide.model.distill.Students;
import io.finetide.model.graph.Batch;
import io.finetide.model.graph.GraphOptions;
import io.finetide.model.graph.TransformerGraph;
import io.finetide.model.graph.UpdateStep;
import io.finetide.model.heads.DistillationLoss;
import io.finetide.model.infer.Predictor;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.DistilledText;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * Knowledge distillation: the loss against Hinton et al.'s formula computed by hand, the student made from every other
 * layer of its teacher, and a student that learns a task from a teacher's soft labels on unlabelled texts alone.
 */
class DistillationTest {

    static Tokenizer tokenizer;

    @BeforeAll
    static void setUp() {
        tokenizer = Tokenizer.builtin("minilm-l6", 32);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
    }

    @Test
    void softLabelsAreTheTeachersProbabilitiesAtATemperature() {
        assertThat(SoftLabels.atTemperature(new float[]{0.8f, 0.2f}, 1)).containsExactly(new float[]{0.8f, 0.2f},
                within(1e-6f));
        // (0.8, 0.2) at temperature 2: the square roots, normalised: 2/3 and 1/3.
        assertThat(SoftLabels.atTemperature(new float[]{0.8f, 0.2f}, 2)).containsExactly(new float[]{2 / 3f, 1 / 3f},
                within(1e-6f));
        assertThatThrownBy(() -> new DistillationLoss(0.5, 0.5)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new DistillationLoss(2, 1.5)).hasMessageContaining("weight");
    }

    /**
     * a * CE(hard labels, p) over the labelled rows + (1 - a) * T^2 * mean over all rows of CE(q, softmax(log p / T)),
     * with p the student's probabilities and q the soft labels given.
     */
    @Test
    void theLossMixesTheHardLabelsWithTheSoftOnesAtTheTemperature() {
        float[][] p = LossTest.probabilities();
        int[] y = {0, DistilledText.UNLABELLED, 2};
        float[][] q = {{0.7f, 0.2f, 0.1f}, {0.1f, 0.3f, 0.6f}, {0.25f, 0.25f, 0.5f}};
        for (double[] setting : new double[][]{{1, 0}, {2, 0.5}, {4, 0.2}, {3, 1}}) {
            double t = setting[0];
            double a = setting[1];
            double hard = (-Math.log(p[0][0]) - Math.log(p[2][2])) / 2;
            double soft = 0;
            for (int i = 0; i < 3; i++) {
                float[] student = SoftLabels.atTemperature(p[i], t);
                for (int k = 0; k < 3; k++) {
                    soft -= q[i][k] * Math.log(student[k]);
                }
            }
            soft = soft / 3 * t * t;
            try (TransformerGraph g = TransformerGraph.create(LossTest.CFG, LossTest.W, GraphOptions.training(
                    LossTest.ALL).distillation(new DistillationLoss(t, a)).build())) {
                double loss = g.trainStep(Batch.of(LossTest.IDS, 0, 1, 16).withSoftLabels(q), y, new UpdateStep(0,
                        1e-3, 0, 0, 0)).loss();
                assertThat(loss).as("T %s, hard weight %s", t, a).isCloseTo(a * hard + (1 - a) * soft, within(1e-5));
                assertThatThrownBy(() -> g.trainStep(Batch.of(LossTest.IDS, 0, 1, 16), y, new UpdateStep(0, 1e-3, 0,
                        0, 0))).hasMessageContaining("soft labels");
            }
        }
    }

    /**
     * A row without a soft label (zeros: a tagger's position the teacher says nothing about) and without a label weighs
     * nothing: the loss is the formula over the other rows alone.
     */
    @Test
    void aRowWithoutASoftLabelWeighsNothing() {
        float[][] p = LossTest.probabilities();
        int[] y = {0, DistilledText.UNLABELLED, 2};
        float[][] q = {{0.7f, 0.2f, 0.1f}, {0f, 0f, 0f}, {0.25f, 0.25f, 0.5f}};
        double t = 2;
        double a = 0.5;
        double hard = (-Math.log(p[0][0]) - Math.log(p[2][2])) / 2;
        double soft = 0;
        for (int i : new int[]{0, 2}) {
            float[] student = SoftLabels.atTemperature(p[i], t);
            for (int k = 0; k < 3; k++) {
                soft -= q[i][k] * Math.log(student[k]);
            }
        }
        soft = soft / 2 * t * t;
        try (TransformerGraph g = TransformerGraph.create(LossTest.CFG, LossTest.W, GraphOptions.training(LossTest.ALL)
                .distillation(new DistillationLoss(t, a)).build())) {
            double loss = g.trainStep(Batch.of(LossTest.IDS, 0, 1, 16).withSoftLabels(q), y, new UpdateStep(0, 1e-3,
                    0, 0, 0)).loss();
            assertThat(loss).isCloseTo(a * hard + (1 - a) * soft, within(1e-5));
        }
    }

    @Test
    void aStudentStartsFromEveryOtherLayerOfItsTeacher() {
        TransformerConfig teacher = TransformerConfig.encoderBuilder().vocabSize(50).maxPositions(16).hiddenSize(16)
                .layers(4).heads(2).intermediateSize(32).labels(3).build();
        Weights w = Weights.initialise(teacher, 3);
        Students.Student student = Students.fromTeacher(teacher, w, 2);
        assertThat(student.config().layers()).isEqualTo(2);
        assertThat(student.teacherLayers()).containsExactly(0, 2);
        assertThat(student.weights().tensors().keySet()).containsExactlyElementsOf(ParamSpec.forConfig(student
                .config()).stream().map(ParamSpec::name).toList());
        String query = "attention.self.query.weight";
        assertThat(student.weights().get(ParamSpec.layer(1) + query).values()).containsExactly(w.get(ParamSpec
                .layer(2) + query).values());
        assertThat(student.weights().get(ParamSpec.layer(0) + "output.dense.bias").values()).containsExactly(w.get(
                ParamSpec.layer(0) + "output.dense.bias").values());
        assertThat(student.weights().get(ParamSpec.CLASSIFIER + ".weight").values()).containsExactly(w.get(
                ParamSpec.CLASSIFIER + ".weight").values());
        assertThat(student.weights().get(ParamSpec.WORD_EMBEDDINGS).values()).containsExactly(w.get(
                ParamSpec.WORD_EMBEDDINGS).values());
        assertThat(student.config().parameterCount()).isLessThan(teacher.parameterCount());
        assertThatThrownBy(() -> Students.fromTeacher(teacher, w, 5)).hasMessageContaining("1 to 4 layers");
    }

    /**
     * A teacher trained on labelled texts labels nothing for its student: a random student, half as deep, learns the
     * task from the teacher's soft labels on unlabelled texts alone, and agrees with it on new texts.
     */
    @Test
    void aStudentLearnsATaskFromItsTeachersSoftLabelsAlone() {
        TransformerConfig teacherConfig = TransformerConfig.encoderBuilder().vocabSize(tokenizer.vocabSize())
                .maxPositions(32).hiddenSize(32).layers(2).heads(2).intermediateSize(64).labels(2).pooling(
                        Pooling.MEAN)
                .dropout(0.0).build();
        List<LabelledText> labelled = EncoderTrainingTest.data(400, 1);
        List<LabelledText> validation = EncoderTrainingTest.data(100, 2);
        Trainer.Result teacher = Trainer.train(teacherConfig, Weights.initialise(teacherConfig, 7), tokenizer,
                labelled, validation, EncoderTrainingTest.hp(), TrainingListener.NONE);
        assertThat(teacher.best().validationScore()).isGreaterThanOrEqualTo(0.95);

        List<String> unlabelled = EncoderTrainingTest.data(600, 4).stream().map(LabelledText::text).toList();
        float[][] taught = probabilities(teacherConfig, teacher.weights(), unlabelled);
        List<DistilledText> texts = new ArrayList<>();
        for (int i = 0; i < unlabelled.size(); i++) {
            texts.add(new DistilledText(unlabelled.get(i), DistilledText.UNLABELLED, taught[i]));
        }
        TransformerConfig studentConfig = teacherConfig.toBuilder().layers(1).build();
        TrainingConfig hp = EncoderTrainingTest.hp();
        Trainer.Result student = Trainer.distil(studentConfig, Weights.initialise(studentConfig, 11), tokenizer,
                texts, validation, new DistillationLoss(2, 0), hp, io.finetide.model.train.Strategy.full(),
                TrainingListener.NONE, io.finetide.model.train.Checkpoint.Store.NONE);
        assertThat(student.best().validationScore()).isGreaterThanOrEqualTo(0.9);

        List<LabelledText> test = EncoderTrainingTest.data(200, 5);
        List<String> testTexts = test.stream().map(LabelledText::text).toList();
        float[][] byTeacher = probabilities(teacherConfig, teacher.weights(), testTexts);
        float[][] byStudent = probabilities(studentConfig, student.weights(), testTexts);
        int agree = 0;
        for (int i = 0; i < testTexts.size(); i++) {
            agree += Predictor.argMax(byTeacher[i]) == Predictor.argMax(byStudent[i]) ? 1 : 0;
        }
        assertThat(agree / (double) testTexts.size()).isGreaterThanOrEqualTo(0.9);
        assertThatThrownBy(() -> Trainer.distil(studentConfig, Weights.initialise(studentConfig, 11), tokenizer,
                texts, validation, new DistillationLoss(2, 0), hp.toBuilder().privacy(
                        new io.finetide.model.privacy.DpSgd(1.0, 1.0, 3)).build(),
                io.finetide.model.train.Strategy.full(), TrainingListener.NONE,
                io.finetide.model.train.Checkpoint.Store.NONE)).hasMessageContaining("DP-SGD does not distil");
    }

    /**
     * A pair classifier's student: MiniLM-L6 fine-tuned on a relation only both texts show ({@link TextPairTest}), and a
     * student of three of its layers that learns it from the teacher's soft labels on unlabelled pairs alone.
     */
    @Test
    void aPairClassifiersStudentLearnsTheRelationFromItsTeachersSoftLabels() {
        TrainingConfig hp = TrainingConfig.builder().learningRate(1e-4).batchSize(16).epochs(2).weightDecay(0.01)
                .warmupRatio(0.1).maxGradNorm(1.0).seed(42).dropout(0.1).patience(0).labelSmoothing(0).threads(2)
                .build();
        io.finetide.model.pretrained.PretrainedEncoders.Pretrained pre = io.finetide.model.pretrained.PretrainedEncoders
                .load("minilm-l6", io.finetide.model.transformer.HeadSpec.sequence(2, Pooling.MEAN), 0.1, 3);
        List<io.finetide.model.train.LabelledPair> validation = TextPairTest.pairs(200, 2);
        Trainer.Result teacher = Trainer.trainPairs(pre.config(), pre.weights(), tokenizer, TextPairTest.pairs(400, 1),
                validation, hp, io.finetide.model.train.Strategy.full(), TrainingListener.NONE,
                io.finetide.model.train.Checkpoint.Store.NONE);
        assertThat(teacher.best().validationScore()).isGreaterThan(0.9);

        List<io.finetide.model.train.LabelledPair> unlabelled = TextPairTest.pairs(400, 4);
        float[][] taught = pairProbabilities(pre.config(), teacher.weights(), unlabelled);
        List<io.finetide.model.train.DistilledPair> pairs = new ArrayList<>();
        for (int i = 0; i < unlabelled.size(); i++) {
            pairs.add(new io.finetide.model.train.DistilledPair(unlabelled.get(i).first(), unlabelled.get(i).second(),
                    DistilledText.UNLABELLED, taught[i]));
        }
        Students.Student student = Students.fromTeacher(pre.config(), teacher.weights(), 3);
        Trainer.Result learned = Trainer.distilPairs(student.config(), student.weights(), tokenizer, pairs, validation,
                new DistillationLoss(2, 0), hp, io.finetide.model.train.Strategy.full(), TrainingListener.NONE,
                io.finetide.model.train.Checkpoint.Store.NONE);
        assertThat(learned.best().validationScore()).isGreaterThan(0.9);

        List<io.finetide.model.train.LabelledPair> test = TextPairTest.pairs(200, 5);
        float[][] byTeacher = pairProbabilities(pre.config(), teacher.weights(), test);
        float[][] byStudent = pairProbabilities(student.config(), learned.weights(), test);
        int agree = 0;
        for (int i = 0; i < test.size(); i++) {
            agree += Predictor.argMax(byTeacher[i]) == Predictor.argMax(byStudent[i]) ? 1 : 0;
        }
        assertThat(agree / (double) test.size()).isGreaterThanOrEqualTo(0.9);
    }

    private static float[][] pairProbabilities(TransformerConfig config, Weights weights,
            List<io.finetide.model.train.LabelledPair> pairs) {
        try (TransformerGraph g = TransformerGraph.create(config, weights, GraphOptions.inference(1))) {
            return Predictor.pairProbabilities(g, pairs.stream().map(p -> tokenizer.encodePair(p.first(), p.second()))
                    .toList(), tokenizer.padId(), 32);
        }
    }

    /**
     * A tagger's student: a random 2-layer tagger trained on tagged sentences teaches a 1-layer student of its own
     * layers the tags of unlabelled sentences, word by word, and the student finds the entities and agrees with it.
     */
    @Test
    void aTaggersStudentLearnsTheTagsFromItsTeachersSoftLabelsAlone() {
        List<String> tags = TokenClassificationTest.TAGS;
        try (Tokenizer words = Tokenizer.builtin("minilm-l6", 24)) {
            TransformerConfig config = TransformerConfig.encoderBuilder().vocabSize(words.vocabSize()).maxPositions(24)
                    .typeVocabSize(2).hiddenSize(32).layers(2).heads(2).intermediateSize(64).labels(tags.size()).head(
                            io.finetide.model.transformer.Head.TOKEN)
                    .dropout(0.1).layerNormEps(1e-12).build();
            TrainingConfig hp = TrainingConfig.builder().learningRate(3e-3).batchSize(16).epochs(4).weightDecay(0.01)
                    .warmupRatio(0.1).maxGradNorm(1.0).seed(7).dropout(0.1).patience(0).labelSmoothing(0).threads(1)
                    .build();
            List<io.finetide.model.train.TaggedWords> validation = TokenClassificationTest.sentences(60, 2);
            Trainer.Result teacher = Trainer.trainTokens(config, Weights.initialise(config, 7), words,
                    TokenClassificationTest.sentences(240, 1), validation, tags, hp, io.finetide.model.train.Strategy
                            .full(),
                    TrainingListener.NONE, io.finetide.model.train.Checkpoint.Store.NONE);
            assertThat(teacher.best().validationScore()).isGreaterThan(0.95);

            List<io.finetide.model.train.TaggedWords> unlabelled = TokenClassificationTest.sentences(300, 4);
            List<float[][]> taught = wordProbabilities(config, teacher.weights(), words, unlabelled);
            List<io.finetide.model.train.DistilledWords> sentences = new ArrayList<>();
            for (int i = 0; i < unlabelled.size(); i++) {
                sentences.add(new io.finetide.model.train.DistilledWords(unlabelled.get(i).words(), null, taught.get(
                        i)));
            }
            Students.Student student = Students.fromTeacher(config, teacher.weights(), 1);
            Trainer.Result learned = Trainer.distilTokens(student.config(), student.weights(), words, sentences,
                    validation, tags, new DistillationLoss(2, 0), hp, io.finetide.model.train.Strategy.full(),
                    TrainingListener.NONE, io.finetide.model.train.Checkpoint.Store.NONE);
            // Entity F1 on the validation sentences, which the student never saw tagged.
            assertThat(learned.best().validationScore()).isGreaterThan(0.9);

            List<io.finetide.model.train.TaggedWords> test = TokenClassificationTest.sentences(40, 5);
            List<float[][]> byTeacher = wordProbabilities(config, teacher.weights(), words, test);
            List<float[][]> byStudent = wordProbabilities(student.config(), learned.weights(), words, test);
            int agree = 0;
            int all = 0;
            for (int i = 0; i < test.size(); i++) {
                for (int w = 0; w < byTeacher.get(i).length; w++) {
                    agree += Predictor.argMax(byTeacher.get(i)[w]) == Predictor.argMax(byStudent.get(i)[w]) ? 1 : 0;
                    all++;
                }
            }
            assertThat(agree / (double) all).isGreaterThanOrEqualTo(0.95);
        }
    }

    private static List<float[][]> wordProbabilities(TransformerConfig config, Weights weights, Tokenizer words,
            List<io.finetide.model.train.TaggedWords> sentences) {
        try (TransformerGraph g = TransformerGraph.create(config, weights, GraphOptions.inference(1))) {
            return Predictor.wordProbabilities(g, sentences.stream().map(t -> words.encodeWords(t.words())).toList(),
                    words.padId(), 24);
        }
    }

    private static float[][] probabilities(TransformerConfig config, Weights weights, List<String> texts) {
        try (TransformerGraph g = TransformerGraph.create(config, weights, GraphOptions.inference(1))) {
            return Predictor.probabilities(g, tokenizer.encodeAll(texts), tokenizer.padId(), 32);
        }
    }
}
