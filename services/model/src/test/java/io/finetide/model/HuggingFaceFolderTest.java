package io.finetide.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.finetide.model.pretrained.FolderArchive;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.SafeTensors;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * The Hugging Face folder: what we write reads back bit for bit; the spellings transformers uses are accepted; every
 * mismatch names its tensor. (That PyTorch's BertModel computes what our graph computes from such a folder is checked
 * by the peers benchmark, which runs transformers: see docs/BENCHMARKS.md.)
 */
class HuggingFaceFolderTest {

    static final TransformerConfig CFG = TransformerConfig.encoderBuilder().vocabSize(30).maxPositions(16)
            .typeVocabSize(2).hiddenSize(8).layers(2).heads(2).intermediateSize(12).labels(3).pooling(Pooling.MEAN)
            .dropout(0.1).layerNormEps(1e-12).build();
    static final byte[] TOKENIZER = "{\"model\":{}}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aZippedFolderReadsAsTheFolderAndOnlyItsKnownFilesAreTaken(@TempDir Path dir) throws Exception {
        Weights w = Weights.initialise(CFG, 4);
        HuggingFaceFolder.write(dir, CFG, w, TOKENIZER);
        // The folder itself zipped (one directory level), with files reading ignores and an entry aiming outside.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
            for (String f : FolderArchive.FILES) {
                out.putNextEntry(new java.util.zip.ZipEntry("my-bert/" + f));
                Files.copy(dir.resolve(f), out);
            }
            out.putNextEntry(new java.util.zip.ZipEntry("my-bert/vocab.txt"));
            out.putNextEntry(new java.util.zip.ZipEntry("../../evil/config.json"));
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        HuggingFaceFolder.Loaded loaded = HuggingFaceFolder.readZip(bytes.toByteArray(),
                HeadSpec.sequence(3, Pooling.MEAN), 0.1, 1);
        assertThat(loaded.config()).isEqualTo(CFG);
        assertThat(loaded.weights().get("encoder.layer.1.output.dense.weight").values()).isEqualTo(w.get(
                "encoder.layer.1.output.dense.weight").values());
        assertThat(
                HuggingFaceFolder.readZip(FolderArchive.zip(dir), HeadSpec.sequence(3, Pooling.MEAN), 0.1, 1).config())
                .isEqualTo(CFG);

        java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(partial)) {
            out.putNextEntry(new java.util.zip.ZipEntry("config.json"));
            Files.copy(dir.resolve("config.json"), out);
        }
        assertThatThrownBy(
                () -> HuggingFaceFolder.readZip(partial.toByteArray(), HeadSpec.sequence(3, Pooling.MEAN), 0.1, 1))
                .hasMessageContaining("the archive has no model.safetensors");
        assertThatThrownBy(() -> HuggingFaceFolder.readZip("not a zip".getBytes(StandardCharsets.UTF_8),
                HeadSpec.sequence(3, Pooling.MEAN),
                0.1, 1)).hasMessageContaining("not a zip archive");
    }

    @Test
    void whatIsWrittenReadsBackExactly(@TempDir Path dir) throws Exception {
        Weights w = Weights.initialise(CFG, 4);
        HuggingFaceFolder.write(dir, CFG, w, TOKENIZER);
        HuggingFaceFolder.Loaded loaded = HuggingFaceFolder.read(dir, HeadSpec.sequence(3, Pooling.MEAN), 0.1, 1);
        assertThat(loaded.config()).isEqualTo(CFG);
        assertThat(loaded.headFromFile()).isTrue();
        assertThat(loaded.tokenizerJson()).isEqualTo(TOKENIZER);
        for (String name : w.tensors().keySet()) {
            assertThat(loaded.weights().get(name).values()).as(name).isEqualTo(w.get(name).values());
            assertThat(loaded.weights().get(name).shape()).as(name).isEqualTo(w.get(name).shape());
        }
        // PyTorch's layout on disk: a linear weight is [out, in].
        Map<String, Weights.Tensor> raw = SafeTensors.read(dir.resolve("model.safetensors"));
        assertThat(raw.get("encoder.layer.0.intermediate.dense.weight").shape()).containsExactly(12, 8);
        assertThat(raw.get("embeddings.word_embeddings.weight").shape()).containsExactly(30, 8);
        // Another label count: the head is new, the encoder the file's.
        HuggingFaceFolder.Loaded five = HuggingFaceFolder.read(dir, HeadSpec.sequence(5, Pooling.CLS), 0.1, 1);
        assertThat(five.headFromFile()).isFalse();
        assertThat(five.weights().get("classifier.weight").shape()).containsExactly(8, 5);
    }

    @Test
    void transformersSpellingsAreAcceptedAndExtrasReported(@TempDir Path dir) throws Exception {
        Weights w = Weights.initialise(CFG, 4);
        HuggingFaceFolder.write(dir, CFG, w, TOKENIZER);
        Map<String, Weights.Tensor> raw = SafeTensors.read(dir.resolve("model.safetensors"));
        Map<String, Weights.Tensor> renamed = new LinkedHashMap<>();
        raw.forEach((name, t) -> renamed.put(name.startsWith("classifier")
                ? name
                : "bert." + name.replace(
                        "LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"),
                t));
        renamed.put("bert.pooler.dense.weight", new Weights.Tensor(new int[]{8, 8}, new float[64]));
        renamed.put("cls.predictions.bias", new Weights.Tensor(new int[]{30}, new float[30]));
        SafeTensors.write(dir.resolve("model.safetensors"), renamed);
        HuggingFaceFolder.Loaded loaded = HuggingFaceFolder.read(dir, HeadSpec.sequence(3, Pooling.MEAN), 0.1, 1);
        assertThat(loaded.ignored()).containsExactly("bert.pooler.dense.weight", "cls.predictions.bias");
        assertThat(loaded.weights().get("encoder.layer.1.output.LayerNorm.weight").values()).isEqualTo(w.get(
                "encoder.layer.1.output.LayerNorm.weight").values());
    }

    @Test
    void mismatchesNameTheirTensor(@TempDir Path dir) throws Exception {
        Weights w = Weights.initialise(CFG, 4);
        HuggingFaceFolder.write(dir, CFG, w, TOKENIZER);
        Path file = dir.resolve("model.safetensors");
        Map<String, Weights.Tensor> good = SafeTensors.read(file);

        Map<String, Weights.Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("encoder.layer.1.attention.self.value.bias");
        SafeTensors.write(file, missing);
        assertThatThrownBy(() -> HuggingFaceFolder.read(dir, HeadSpec.sequence(3, Pooling.MEAN), 0, 1))
                .hasMessageContaining(
                        "no tensor 'encoder.layer.1.attention.self.value.bias'");

        Map<String, Weights.Tensor> wrongShape = new LinkedHashMap<>(good);
        wrongShape.put("encoder.layer.0.intermediate.dense.weight", new Weights.Tensor(new int[]{12, 9},
                new float[108]));
        SafeTensors.write(file, wrongShape);
        assertThatThrownBy(() -> HuggingFaceFolder.read(dir, HeadSpec.sequence(3, Pooling.MEAN), 0, 1))
                .hasMessageContaining(
                        "tensor 'encoder.layer.0.intermediate.dense.weight' has shape [12, 9]")
                .hasMessageContaining(
                        "needs [12, 8]");

        Map<String, Weights.Tensor> extra = new LinkedHashMap<>(good);
        extra.put("encoder.layer.2.attention.self.query.weight", new Weights.Tensor(new int[]{8, 8}, new float[64]));
        SafeTensors.write(file, extra);
        assertThatThrownBy(() -> HuggingFaceFolder.read(dir, HeadSpec.sequence(3, Pooling.MEAN), 0, 1))
                .hasMessageContaining(
                        "does not have: [encoder.layer.2.attention.self.query.weight]");

        SafeTensors.write(file, good);
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace(
                "\"bert\"", "\"xlnet\""));
        assertThatThrownBy(() -> HuggingFaceFolder.read(dir, HeadSpec.sequence(3, Pooling.MEAN), 0, 1))
                .hasMessageContaining(
                        "model_type 'xlnet' is not a BERT-family encoder");
        // A GPT-2 type goes to the decoder's import, which names what its config lacks.
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace(
                "\"xlnet\"", "\"gpt2\""));
        assertThatThrownBy(() -> HuggingFaceFolder.read(dir, HeadSpec.sequence(3, Pooling.MEAN), 0, 1))
                .hasMessageContaining("has no integer 'n_embd'");
        assertThatThrownBy(
                () -> HuggingFaceFolder.read(dir.resolve("nothing"), HeadSpec.sequence(3, Pooling.MEAN), 0, 1))
                .hasMessageContaining("config.json");
    }

    @Test
    void halfPrecisionFilesAreWidened(@TempDir Path dir) throws Exception {
        // One F16 and one BF16 tensor, written by hand in the format's layout.
        String header = "{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 10).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800; BF16: 1.0 = 0x3f80, -3.0 = 0xc040.
        buf.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x3800);
        buf.putShort((short) 0x3f80).putShort((short) 0xc040);
        Path file = dir.resolve("x.safetensors");
        Files.write(file, buf.array());
        Map<String, Weights.Tensor> t = SafeTensors.read(file);
        assertThat(t.get("a").values()).containsExactly(1f, -2f, 0.5f);
        assertThat(t.get("b").values()).containsExactly(1f, -3f);
    }
}
