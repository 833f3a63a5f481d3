package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.finetide.model.pretrained.FolderArchive;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.HuggingFaceLanguageModels;
import io.finetide.model.transformer.Head;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.Pooling;

/** transformers' tiny GPT-2 read as a classifier: its decoder as the language-model import reads it, a fresh head. */
class Gpt2ClassifierTest {

    private static Path folder(Path dir) throws Exception {
        Path src = Path.of(Gpt2ClassifierTest.class.getResource("/reference/gpt2-tiny").toURI());
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(Path.of(Gpt2ClassifierTest.class.getResource("/reference/bpe-tiny/tokenizer.json").toURI()), dir
                .resolve("tokenizer.json"));
        return dir;
    }

    @Test
    void theDecoderIsTheLanguageModelsAndTheHeadIsNew(@TempDir Path dir) throws Exception {
        Path gpt2 = folder(dir);
        byte[] zip = FolderArchive.zip(gpt2);
        assertThat(HuggingFaceFolder.modelType(zip)).isEqualTo("gpt2");
        // The pooling asked for is overridden: only the last real token has read the whole text.
        HuggingFaceFolder.Loaded classifier = HuggingFaceFolder.readZip(zip, HeadSpec.sequence(3, Pooling.MEAN), 0.1,
                7);
        HuggingFaceLanguageModels.Loaded lm = HuggingFaceLanguageModels.read(gpt2, 0.1);
        assertThat(classifier.config().decoder()).isTrue();
        assertThat(classifier.config().head()).isEqualTo(Head.SEQUENCE);
        assertThat(classifier.config().pooling()).isEqualTo(Pooling.LAST);
        assertThat(classifier.config().numLabels()).isEqualTo(3);
        lm.weights().tensors().forEach((name, t) -> assertThat(classifier.weights().get(name).values()).as(name)
                .isEqualTo(t.values()));
        assertThat(classifier.weights().get(ParamSpec.CLASSIFIER + ".weight").shape()).containsExactly(16, 3);
        assertThat(classifier.weights().tensors()).hasSize(lm.weights().tensors().size() + 2);
        assertThat(classifier.headFromFile()).isFalse();
    }

    @Test
    void tagsAreRefusedAndAT5IsReadTextToText(@TempDir Path dir) throws Exception {
        byte[] zip = FolderArchive.zip(folder(dir));
        assertThatThrownBy(() -> HuggingFaceFolder.readZip(zip, HeadSpec.tokens(3), 0.1, 7)).hasMessageContaining(
                "a GPT-2 base classifies whole texts");
        Path t5 = Path.of(Gpt2ClassifierTest.class.getResource("/reference/t5-tiny").toURI());
        Path copy = Files.createDirectories(dir.resolve("t5"));
        Files.copy(t5.resolve("config.json"), copy.resolve("config.json"));
        Files.copy(t5.resolve("model.safetensors"), copy.resolve("model.safetensors"));
        // A T5 folder is read text to text only: its language-model head writes a label's words.
        assertThatThrownBy(() -> HuggingFaceFolder.read(copy, HeadSpec.sequence(2, Pooling.MEAN), 0.1, 7))
                .hasMessageContaining("a T5 base is trained text to text");
        assertThatThrownBy(() -> HuggingFaceFolder.read(copy, HeadSpec.languageModel(), 0.1, 7))
                .hasMessageContaining("has no tokenizer.json");
        try (io.finetide.model.tokenizer.Tokenizer minilm = io.finetide.model.tokenizer.Tokenizer.builtin(
                "minilm-l6", 16)) {
            Files.write(copy.resolve("tokenizer.json"), minilm.json());
        }
        HuggingFaceFolder.Loaded read = HuggingFaceFolder.read(copy, HeadSpec.languageModel(), 0.1, 7);
        io.finetide.model.pretrained.HuggingFaceLanguageModels.Loaded reference = io.finetide.model.pretrained.HuggingFaceLanguageModels
                .read(t5, 0.1);
        assertThat(read.config()).isEqualTo(reference.config());
        assertThat(read.config().encoderDecoder()).isTrue();
        reference.weights().tensors().forEach((name, t) -> assertThat(read.weights().get(name).values()).as(name)
                .isEqualTo(t.values()));
    }
}
