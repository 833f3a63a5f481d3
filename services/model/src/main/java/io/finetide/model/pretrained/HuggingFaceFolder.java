package io.finetide.model.pretrained;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.ParamSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * A BERT-family encoder in the folder layout users keep on disk and {@code transformers} writes with
 * {@code save_pretrained}: {@code config.json}, {@code model.safetensors}, {@code tokenizer.json}. Reading accepts
 * names with or without the {@code bert.} prefix and the old {@code gamma}/{@code beta} LayerNorm names, transposes
 * PyTorch's [out, in] linear weights to the graph's [in, out], converts F16 and BF16 to F32, and leaves out what an
 * encoder does not use (the pooler, masked-language-model heads, position-id buffers), reporting it. A missing or
 * unknown tensor, a shape that does not fit and a wrong architecture fail with a message naming it.
 */
public final class HuggingFaceFolder {

    /**
     * @param ignored tensors of the file that an encoder does not use
     * @param headFromFile whether the classification head came from the file (a fine-tuned model with the same
     *            number of labels) rather than being freshly initialised
     */
    public record Loaded(TransformerConfig config, Weights weights, byte[] tokenizerJson, List<String> ignored,
            boolean headFromFile) {
    }

    private HuggingFaceFolder() {
    }

    public static Loaded read(Path dir, HeadSpec head, double dropout, long seed) {
        return read(file -> {
            try {
                return Files.readAllBytes(dir.resolve(file));
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(file.equals("tokenizer.json")
                        ? dir + " has no tokenizer.json"
                        : "no " + dir.resolve(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, file -> dir.resolve(file).toString(), head, dropout, seed);
    }

    /** The folder's files by name, and how a message names each. */
    private static Loaded read(java.util.function.Function<String, byte[]> files,
            java.util.function.UnaryOperator<String> names, HeadSpec head, double dropout, long seed) {
        String type = HuggingFaceConfigs.readJson(files.apply("config.json"), names.apply("config.json")).path(
                "model_type").asText("");
        if (type.equals("gpt2")) {
            return Gpt2Classifiers.read(files, names, head, dropout, seed);
        }
        if (type.equals("t5")) {
            return t5(files, names, head, dropout);
        }
        TransformerConfig config = HuggingFaceConfigs.bert(files.apply("config.json"), names.apply("config.json"),
                head, dropout);
        Map<String, Weights.Tensor> raw = SafeTensors.read(files.apply("model.safetensors"), names.apply(
                "model.safetensors"));
        Map<String, Weights.Tensor> byName = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, Weights.Tensor> e : raw.entrySet()) {
            String name = HuggingFaceNames.canonical(e.getKey());
            if (name.startsWith("pooler.") || name.startsWith("cls.") || name.startsWith("predictions.") || name
                    .startsWith("sop_classifier.") || name.endsWith("position_ids")) {
                ignored.add(e.getKey());
                continue;
            }
            if (byName.put(name, e.getValue()) != null) {
                throw new IllegalArgumentException("model.safetensors holds '" + name + "' twice (with and without "
                        + "the 'bert.' prefix)");
            }
        }
        Map<String, Weights.Tensor> weights = new LinkedHashMap<>();
        boolean headFromFile = false;
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = byName.remove(p.name());
            boolean classifier = p.name().startsWith(ParamSpec.CLASSIFIER);
            if (classifier) {
                if (t != null && t.shape()[0] == (p.shape().length == 2 ? p.shape()[1] : p.shape()[0])) {
                    headFromFile = true;
                } else {
                    // No head, or one for another label set: a fresh one, as from a base model.
                    t = null;
                }
            }
            if (t == null && classifier) {
                t = PretrainedEncoders.head(p, seed);
                weights.put(p.name(), t);
                continue;
            }
            if (t == null) {
                throw new IllegalArgumentException("model.safetensors has no tensor '" + p.name() + "' (nor 'bert."
                        + p.name() + "')");
            }
            Weights.Tensor fitted = p.shape().length == 2 && HuggingFaceNames.isLinear(p.name())
                    ? HuggingFaceNames.transpose(t)
                    : t;
            if (!java.util.Arrays.equals(fitted.shape(), p.shape())) {
                throw new IllegalArgumentException("tensor '" + p.name() + "' has shape " + java.util.Arrays.toString(t
                        .shape()) + " in model.safetensors; config.json needs " + java.util.Arrays.toString(
                                HuggingFaceNames.isLinear(p.name())
                                        ? new int[]{p.shape()[1], p.shape()[0]}
                                        : p.shape()));
            }
            weights.put(p.name(), fitted);
        }
        if (!byName.isEmpty()) {
            throw new IllegalArgumentException("model.safetensors has tensors a BERT encoder does not have: "
                    + new TreeSet<>(byName.keySet()));
        }
        return new Loaded(config, new Weights(weights), files.apply("tokenizer.json"), List.copyOf(ignored),
                headFromFile);
    }

    /** A T5 folder: its language-model head is its only head (a text-to-text model writes its classes as words). */
    private static Loaded t5(java.util.function.Function<String, byte[]> files,
            java.util.function.UnaryOperator<String> names, HeadSpec head, double dropout) {
        String configName = names.apply("config.json");
        if (head.head() != io.finetide.model.transformer.Head.LANGUAGE_MODEL) {
            throw new IllegalArgumentException(configName + ": a T5 base is trained text to text (its language-model "
                    + "head writes the label's words); a classifier's or tagger's head needs an encoder");
        }
        HuggingFaceLanguageModels.Loaded lm = HuggingFaceLanguageModels.t5(HuggingFaceConfigs.readJson(files.apply(
                "config.json"), configName), SafeTensors.read(files.apply("model.safetensors"),
                        names.apply(
                                "model.safetensors")),
                files.apply("tokenizer.json"), configName, dropout);
        if (lm.tokenizerJson() == null) {
            throw new IllegalArgumentException(names.apply("tokenizer.json") + " is missing");
        }
        return new Loaded(lm.config(), lm.weights(), lm.tokenizerJson(), lm.ignored(), true);
    }

    /** The {@code model_type} of a zipped folder's config.json ("bert", "gpt2", ...); empty when it names none. */
    public static String modelType(byte[] zip) {
        Map<String, byte[]> files;
        try {
            files = FolderArchive.unzip(zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] config = files.get("config.json");
        if (config == null) {
            throw new IllegalArgumentException("config.json (in the archive) is missing");
        }
        return HuggingFaceConfigs.readJson(config, "config.json (in the archive)").path("model_type").asText("");
    }

    /**
     * Reads a folder sent as a zip archive (the folder itself or its files at the top): only {@link FolderArchive#FILES} are taken,
     * by their file names, unpacked in memory (nothing is written to disk).
     */
    public static Loaded readZip(byte[] zip, HeadSpec head, double dropout, long seed) {
        Map<String, byte[]> files;
        try {
            files = FolderArchive.unzip(zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read(files::get, file -> file + " (in the archive)", head, dropout, seed);
    }

    /**
     * Writes a folder that {@code transformers}' {@code BertModel.from_pretrained} reads (the head is kept under
     * {@code classifier.*}, and the pooling in {@code finetide_pooling}).
     */
    public static void write(Path dir, TransformerConfig config, Weights weights, byte[] tokenizerJson) {
        if (config.decoder() || config.shareLayers() || config.factorisedEmbeddings()) {
            throw new IllegalArgumentException("only BERT configurations are written as Hugging Face folders");
        }
        ObjectNode c = HuggingFaceConfigs.bertJson(config);
        Map<String, Weights.Tensor> out = new LinkedHashMap<>();
        for (ParamSpec p : ParamSpec.forConfig(config)) {
            Weights.Tensor t = weights.get(p.name());
            out.put(p.name(),
                    p.shape().length == 2 && HuggingFaceNames.isLinear(p.name()) ? HuggingFaceNames.transpose(t) : t);
        }
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("config.json"),
                    HuggingFaceConfigs.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
            SafeTensors.write(dir.resolve("model.safetensors"), out);
            Files.write(dir.resolve("tokenizer.json"), tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
    }
}
