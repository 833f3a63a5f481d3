package io.finetide.platform;

import static io.finetide.platform.text.CleaningPipeline.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.text.CleaningPipeline;
import io.finetide.proto.v1.CleaningStep;

class CleaningPipelineTest {

    private static String only(CleaningStep s, String text) {
        return CleaningPipeline.of(List.of(s)).clean(text);
    }

    @Test
    void nfkcFoldsWidthAndLigaturesAlone() {
        assertThat(only(step("nfkc"), "Ｆｉｎｅ ﬁle ①")).isEqualTo("Fine file 1");
        assertThat(only(step("nfkc"), "a\u200Bb")).isEqualTo("a\u200Bb");
    }

    @Test
    void controlsRemovesControlAndFormatCharactersButKeepsLineBreaks() {
        assertThat(only(step("controls"), "a\u200Bb\u0007c\u00ADd\te\nf")).isEqualTo("abcd\te\nf");
    }

    @Test
    void markupStripsTagsScriptsCommentsAndDecodesEntities() {
        assertThat(only(step("markup"), "<p>Great&nbsp;<b>phone</b></p><script>alert('x')</script>"))
                .isEqualTo(" Great\u00A0 phone   ");
        assertThat(only(step("markup"), "A &amp; B &lt;3 &#39;ok&#x27; <!-- note -->end")).isEqualTo(
                "A & B <3 'ok'  end");
        assertThat(only(step("markup"), "x < y and y > z, &unknown; stays")).isEqualTo(
                "x < y and y > z, &unknown; stays");
    }

    @Test
    void whitespaceFoldsRunsAndTrims() {
        assertThat(only(step("whitespace"), "  a \t\n b\u00A0 c  ")).isEqualTo("a b c");
    }

    @Test
    void lowercaseIsLocaleIndependent() {
        assertThat(only(step("lowercase"), "TITLE İ")).isEqualTo("title i\u0307");
    }

    @Test
    void lengthStepsRefuseWithTheirReason() {
        assertThat(only(step("min-length", "chars", "3"), "abc")).isEqualTo("abc");
        assertThatThrownBy(() -> only(step("min-length", "chars", "3"), "ab")).isInstanceOfSatisfying(
                RejectedException.class, e -> assertThat(e.reason()).isEqualTo(ReasonCode.TEXT_TOO_SHORT));
        assertThat(only(step("max-length", "chars", "3"), "😀😀😀")).isEqualTo("😀😀😀");
        assertThatThrownBy(() -> only(step("max-length", "chars", "3"), "abcd")).isInstanceOfSatisfying(
                RejectedException.class, e -> assertThat(e.reason()).isEqualTo(ReasonCode.TEXT_TOO_LONG));
    }

    @Test
    void emptyAfterCleaningIsRefused() {
        assertThatThrownBy(() -> CleaningPipeline.of(List.of()).clean("<br/> \u200B &nbsp;")).isInstanceOfSatisfying(
                RejectedException.class, e -> assertThat(e.reason()).isEqualTo(ReasonCode.EMPTY_AFTER_CLEANING));
    }

    @Test
    void theDefaultPipelineRunsItsStepsInOrder() {
        assertThat(CleaningPipeline.of(List.of()).clean("  <i>Ｆｉｎｅ</i>\u00A0tuning\t\n  ﬁle\u200B\u0007 "))
                .isEqualTo("Fine tuning file");
        assertThat(CleaningPipeline.of(List.of()).steps()).extracting(CleaningStep::getName).containsExactly("nfkc",
                "controls", "markup", "whitespace");
    }

    @Test
    void versionsNameStepsAndParameters() {
        String a = CleaningPipeline.of(List.of(step("nfkc"), step("min-length", "chars", "3"))).version();
        String b = CleaningPipeline.of(List.of(step("nfkc"), step("min-length", "chars", "4"))).version();
        String c = CleaningPipeline.of(List.of(step("min-length", "chars", "3"), step("nfkc"))).version();
        assertThat(a).startsWith("clean-" + CleaningPipeline.CODE_VERSION + "-").isNotEqualTo(b).isNotEqualTo(c);
        assertThat(CleaningPipeline.of(List.of(step("nfkc"), step("min-length", "chars", "3"))).version())
                .isEqualTo(a);
    }

    @Test
    void problemsNameUnknownStepsAndBadParameters() {
        assertThat(CleaningPipeline.problems(List.of(step("stem"), step("min-length"), step("max-length", "chars",
                "-1"), step("nfkc", "form", "x")))).hasSize(4).anySatisfy(p -> assertThat(p).contains("unknown step "
                        + "'stem'"))
                .anySatisfy(p -> assertThat(p).contains("unknown parameters [form]"));
        assertThat(CleaningPipeline.problems(CleaningPipeline.DEFAULT)).isEmpty();
    }
}
