package io.finetide.preprocessing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.finetide.preprocessing.preparation.Tokenizers;
import io.finetide.proto.v1.ModelSpec;
import io.finetide.proto.v1.PreprocessingSpec;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.Truncation;

class TruncationTest {

    private static TaskDefinitionEvent task(int max, Truncation t) {
        return TaskDefinitionEvent.newBuilder().setName("t").setModel(ModelSpec.newBuilder().setTokenizer("minilm-l6")
                .setMaxSeqLen(max)).setPreprocessing(PreprocessingSpec.newBuilder().setTruncation(t)).build();
    }

    @Test
    void policiesKeepTheSpecialTokensAndTheRightEnds() {
        Tokenizers tokenizers = new Tokenizers();
        String text = "one two three four five six seven eight nine ten eleven twelve";
        Tokenizers.Tokens full = tokenizers.tokenize(task(64, Truncation.HEAD), text);
        assertThat(full.truncated()).isFalse();
        int[] ids = full.ids();
        assertThat(ids).hasSize(14);
        assertThat(full.content()).isEqualTo(12);
        assertThat(full.unknown()).isZero();

        Tokenizers.Tokens head = tokenizers.tokenize(task(8, Truncation.HEAD), text);
        assertThat(head.ids()).containsExactly(ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[13]);
        assertThat(head.truncated()).isTrue();
        assertThat(head.fullLength()).isEqualTo(14);
        Tokenizers.Tokens tail = tokenizers.tokenize(task(8, Truncation.TAIL), text);
        assertThat(tail.ids()).containsExactly(ids[0], ids[7], ids[8], ids[9], ids[10], ids[11], ids[12], ids[13]);
        // A quarter of the six kept content tokens from the start (one), the rest from the end.
        Tokenizers.Tokens both = tokenizers.tokenize(task(8, Truncation.HEAD_AND_TAIL), text);
        assertThat(both.ids()).containsExactly(ids[0], ids[1], ids[8], ids[9], ids[10], ids[11], ids[12], ids[13]);
        assertThat(Tokenizers.version(task(8, Truncation.TAIL))).isEqualTo("minilm-l6/8/tail");
    }

    @Test
    void aPairIsCutLongestFirstAndMeasuredWhole() {
        Tokenizers tokenizers = new Tokenizers();
        String first = "one two three four five six seven eight";
        String second = "nine ten";
        // [CLS] 8 [SEP] 2 [SEP]
        Tokenizers.Tokens full = tokenizers.tokenizePair(task(64, Truncation.TAIL), first, second);
        assertThat(full.ids()).hasSize(13);
        assertThat(full.truncated()).isFalse();
        assertThat(full.content()).isEqualTo(10);
        int[] ids = full.ids();
        // Cut to 9: the longer first text loses its last four words; the truncation policy does not apply to pairs.
        Tokenizers.Tokens cut = tokenizers.tokenizePair(task(9, Truncation.TAIL), first, second);
        assertThat(cut.ids()).containsExactly(ids[0], ids[1], ids[2], ids[3], ids[4], ids[9], ids[10], ids[11],
                ids[12]);
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.fullLength()).isEqualTo(13);
        assertThat(cut.content()).isEqualTo(10);
    }

    @Test
    void unknownTokensAreCounted() {
        Tokenizers.Tokens t = new Tokenizers().tokenize(task(64, Truncation.HEAD), "hello \uD83D\uDE00 world");
        assertThat(t.content()).isEqualTo(3);
        assertThat(t.unknown()).isEqualTo(1);
    }
}
