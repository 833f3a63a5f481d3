package io.finetide.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finetide.ingestion.labeling.Agreement;
import io.finetide.ingestion.labeling.LabelModel;
import io.finetide.ingestion.labeling.LabelingFunction;
import io.finetide.ingestion.labeling.Quorum;
import io.finetide.ingestion.labeling.Uncertainty;
import io.finetide.ingestion.labeling.VoteSummary;
import io.finetide.platform.tagging.Bio;

class LabelingMathTest {

    @Test
    void cohensKappaMatchesTheHandComputedValue() {
        // 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15. p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5.
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        add(a, b, "yes", "yes", 20);
        add(a, b, "yes", "no", 5);
        add(a, b, "no", "yes", 10);
        add(a, b, "no", "no", 15);
        assertThat(Agreement.cohen(a, b)).isCloseTo(0.4, within(1e-12));
        assertThat(Agreement.cohen(a, a)).isEqualTo(1.0);
        assertThat(Agreement.cohen(List.of("x", "x"), List.of("x", "x"))).isNaN();
        assertThatThrownBy(() -> Agreement.cohen(List.of("x"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fleissKappaMatchesTheHandComputedValue() {
        // Fleiss (1971) style table: 10 items, 14 raters, 5 categories. P-bar = 0.378, P_e = 0.213 -> 0.20993.
        int[][] table = {{0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0},
                {2, 2, 8, 1, 1}, {7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0},
                {0, 2, 2, 3, 7}};
        List<Map<String, Integer>> items = new ArrayList<>();
        for (int[] row : table) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (int c = 0; c < row.length; c++) {
                if (row[c] > 0) {
                    counts.put("c" + c, row[c]);
                }
            }
            items.add(counts);
        }
        assertThat(Agreement.fleiss(items)).isCloseTo(0.20993070, within(1e-7));
        assertThatThrownBy(() -> Agreement.fleiss(List.of(Map.of("a", 2), Map.of("a", 3))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void uncertaintyOrdersPredictionsAsEachMeasureDefines() {
        float[] sure = {0.98f, 0.01f, 0.01f};
        float[] tie = {0.49f, 0.49f, 0.02f};
        float[] flat = {0.34f, 0.33f, 0.33f};
        assertThat(Uncertainty.ENTROPY.of(flat)).isCloseTo(Math.log(3), within(1e-3));
        assertThat(Uncertainty.ENTROPY.of(flat)).isGreaterThan(Uncertainty.ENTROPY.of(tie))
                .isGreaterThan(Uncertainty.ENTROPY.of(sure));
        // Margin puts the two-way tie first: it is the example a label would settle.
        assertThat(Uncertainty.MARGIN.of(tie)).isCloseTo(1.0, within(1e-6));
        assertThat(Uncertainty.MARGIN.of(tie)).isGreaterThan(Uncertainty.MARGIN.of(flat));
        assertThat(Uncertainty.LEAST_CONFIDENCE.of(flat)).isCloseTo(0.66, within(1e-6));
        assertThat(Uncertainty.LEAST_CONFIDENCE.of(sure)).isCloseTo(0.02, within(1e-6));
    }

    @Test
    void labelingFunctionsVoteOnWholeWordsOrPatternsAndValidate() {
        List<String> labels = List.of("ham", "spam");
        LabelingFunction kw = LabelingFunction.of("free", "keywords", List.of("free", "win now"), "spam", false,
                labels);
        assertThat(kw.vote("FREE tickets")).isEqualTo("spam");
        assertThat(kw.vote("you can WIN NOW!")).isEqualTo("spam");
        assertThat(kw.vote("carefree day")).isNull();
        LabelingFunction re = LabelingFunction.of("money", "regex", List.of("[£$]\\d+"), "spam", false, labels);
        assertThat(re.vote("claim £100")).isEqualTo("spam");
        assertThat(re.vote("see you at 5")).isNull();
        assertThatThrownBy(() -> LabelingFunction.of("Bad Name", "regex", List.of("(", " "), "eggs", false, labels))
                .hasMessageContaining("name must match").hasMessageContaining("'(' is not a regular expression")
                .hasMessageContaining("a pattern is blank").hasMessageContaining("label 'eggs' is not one of");
        assertThatThrownBy(() -> LabelingFunction.of("x", "magic", List.of("a"), "ham", false, labels))
                .hasMessageContaining("kind must be one of");
    }

    @Test
    void voteSummaryCountsCoverageOverlapConflictAndEmpiricalAccuracy() {
        int A = LabelModel.ABSTAIN;
        int[][] votes = {{0, 0, A}, {0, 1, A}, {1, A, A}, {A, A, 1}};
        int[] gold = {0, 1, 1, A};
        List<VoteSummary.FunctionStats> s = VoteSummary.of(votes, gold, 3);
        assertThat(s.get(0).coverage()).isEqualTo(0.75);
        assertThat(s.get(0).overlap()).isEqualTo(0.5);
        assertThat(s.get(0).conflict()).isEqualTo(0.25);
        assertThat(s.get(0).empiricalAccuracy()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(s.get(1).coverage()).isEqualTo(0.5);
        assertThat(s.get(1).conflict()).isEqualTo(0.25);
        assertThat(s.get(1).empiricalAccuracy()).isEqualTo(1.0);
        assertThat(s.get(2).overlap()).isZero();
        assertThat(s.get(2).empiricalAccuracy()).isNaN();
    }

    @Test
    void labelModelRecoversKnownFunctionAccuraciesAndBeatsMajorityVote() {
        double[] accuracy = {0.92, 0.85, 0.75, 0.62, 0.45};
        double[] coverage = {0.5, 0.6, 0.7, 0.8, 0.9};
        int labels = 3;
        int n = 6000;
        Random random = new Random(7);
        int[][] votes = new int[n][accuracy.length];
        int[] truth = new int[n];
        for (int i = 0; i < n; i++) {
            // Unbalanced classes, as real streams are.
            double u = random.nextDouble();
            truth[i] = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
            for (int j = 0; j < accuracy.length; j++) {
                if (random.nextDouble() >= coverage[j]) {
                    votes[i][j] = LabelModel.ABSTAIN;
                } else if (random.nextDouble() < accuracy[j]) {
                    votes[i][j] = truth[i];
                } else {
                    List<Integer> others = new ArrayList<>(List.of(0, 1, 2));
                    others.remove(Integer.valueOf(truth[i]));
                    Collections.shuffle(others, random);
                    votes[i][j] = others.get(0);
                }
            }
        }
        LabelModel model = LabelModel.fit(votes, labels, accuracy.length);
        double[] learned = model.accuracies();
        for (int j = 0; j < accuracy.length; j++) {
            assertThat(learned[j]).as("function %d", j).isCloseTo(accuracy[j], within(0.03));
        }
        assertThat(model.classBalance()[0]).isCloseTo(0.5, within(0.03));
        LabelModel majority = LabelModel.majority(labels, accuracy.length);
        int modelRight = 0;
        int majorityRight = 0;
        for (int i = 0; i < n; i++) {
            modelRight += model.predict(votes[i]).label() == truth[i] ? 1 : 0;
            majorityRight += majority.predict(votes[i]).label() == truth[i] ? 1 : 0;
        }
        assertThat(modelRight).isGreaterThan(majorityRight);
        assertThat(model.predict(new int[]{LabelModel.ABSTAIN, LabelModel.ABSTAIN, LabelModel.ABSTAIN,
                LabelModel.ABSTAIN, LabelModel.ABSTAIN}).label()).isEqualTo(LabelModel.ABSTAIN);
    }

    @Test
    void quorumWaitsThenDecidesByMajorityOrHoldsTies() {
        assertThat(Quorum.decide(List.of("a"), 2, Quorum.Policy.MAJORITY).state()).isEqualTo(Quorum.State.WAITING);
        assertThat(Quorum.decide(List.of("a", "a"), 2, Quorum.Policy.ADJUDICATE))
                .isEqualTo(new Quorum.Decision(Quorum.State.DECIDED, "a"));
        assertThat(Quorum.decide(List.of("a", "b"), 2, Quorum.Policy.MAJORITY).state())
                .isEqualTo(Quorum.State.HELD);
        assertThat(Quorum.decide(List.of("a", "b", "b"), 3, Quorum.Policy.MAJORITY))
                .isEqualTo(new Quorum.Decision(Quorum.State.DECIDED, "b"));
        assertThat(Quorum.decide(List.of("a", "b", "b"), 3, Quorum.Policy.ADJUDICATE).state())
                .isEqualTo(Quorum.State.HELD);
    }

    @Test
    void knownLabelsAnchorTheLabelModelAndALoneFunctionKeepsItsStartingAccuracy() {
        int A = LabelModel.ABSTAIN;
        // Functions 0 and 1 vote label 1 together once; function 2 votes label 0 alone. Without anchoring, the class
        // balance drifts to label 1 and drags function 2's accuracy (and its items) with it.
        int[][] votes = {{A, 1, A}, {A, A, 0}, {1, 1, A}, {A, A, 0}, {A, A, A}};
        LabelModel free = LabelModel.fit(votes, 2, 3);
        assertThat(free.accuracies()[2]).isEqualTo(0.7);
        assertThat(free.predict(votes[3]).label()).isEqualTo(0);
        LabelModel anchored = LabelModel.fit(votes, new int[]{1, 0, A, A, A}, 2, 3);
        assertThat(anchored.predict(votes[3]).label()).isEqualTo(0);
        assertThat(anchored.predict(votes[2]).label()).isEqualTo(1);
        assertThat(anchored.classBalance()[0]).isCloseTo(0.5, within(1e-12));
        assertThat(anchored.accuracies()[2]).isGreaterThan(0.9);
    }

    @Test
    void bioTagsFollowTheEntityTypesAndProblemsNameThePosition() {
        assertThat(Bio.tags(List.of("person", "location"))).containsExactly("O", "B-person", "I-person",
                "B-location", "I-location");
        assertThat(Bio.tagProblem(List.of("a", "b"), List.of("B-person", "I-person"), List.of("person"))).isNull();
        assertThat(Bio.tagProblem(List.of("a", "b"), List.of("O"), List.of("person"))).isEqualTo(
                "1 tags for 2 tokens");
        assertThat(Bio.tagProblem(List.of("a", "b"), List.of("O", "B-org"), List.of("person"))).startsWith(
                "tag 'B-org' at position 1");
        assertThat(Bio.typeProblem("B-person")).contains("entity types");
        assertThat(Bio.typeProblem("person")).isNull();
    }

    private static void add(List<String> a, List<String> b, String x, String y, int times) {
        for (int i = 0; i < times; i++) {
            a.add(x);
            b.add(y);
        }
    }
}
