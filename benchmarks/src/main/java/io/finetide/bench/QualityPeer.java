package io.finetide.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.bench.LabelledSets.Dataset;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.LabelledText;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * The quality benchmark's side-by-side run: the same fine-tuning in Hugging Face transformers on PyTorch
 * ({@code benchmarks/python/quality_peer.py}), from the same initial weights (the new head included), on the same token
 * ids of the same splits, with the same recipe. What differs is the framework, its random order and dropout masks.
 */
final class QualityPeer {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the peers run: the virtual environment's Python, the folder of their scripts, a work folder. */
    record Setup(Path python, Path scripts, Path work) {
    }

    /** The peer's outcome, as the library's row reports it. */
    record Result(String versions, long steps, double seconds, int bestEpoch, double validationAccuracy,
            double testAccuracy, double testMacroF1) {
    }

    private QualityPeer() {
    }

    static Result fineTune(Setup setup, TransformerConfig config, Weights initial, Tokenizer tokenizer, Dataset d,
            List<LabelledText> train, QualityBenchmark.Options o, Consumer<String> say) throws IOException,
            InterruptedException {
        Files.createDirectories(setup.work());
        Path folder = setup.work().resolve(o.base() + "-" + d.name() + "-hf");
        HuggingFaceFolder.write(folder, config, initial, tokenizer.json());
        ObjectNode data = JSON.createObjectNode();
        data.put("pad", tokenizer.padId());
        data.put("labels", d.labels().size());
        split(data.putObject("train"), tokenizer, train);
        split(data.putObject("validation"), tokenizer, d.validation());
        split(data.putObject("test"), tokenizer, d.test());
        Path file = setup.work().resolve(o.base() + "-" + d.name() + "-splits.json");
        JSON.writeValue(file.toFile(), data);
        say.accept("running the PyTorch peer (" + setup.python() + ") on " + train.size() + " examples");
        JsonNode r = PythonPeer.run(List.of(setup.python().toString(),
                setup.scripts().resolve("quality_peer.py").toString(), "--folder", folder
                        .toString(),
                "--data", file.toString(), "--pooling", config.pooling() == Pooling.CLS ? "cls" : "mean",
                "--epochs", String.valueOf(o.epochs()), "--lr", String.valueOf(o.learningRate()), "--batch", String
                        .valueOf(o.batchSize()),
                "--threads", String.valueOf(o.threads())), "the PyTorch quality peer");
        Result result = new Result("transformers " + r.path("transformers").asText() + ", PyTorch " + r.path("torch")
                .asText(), r.path("steps").asLong(), r.path("seconds").asDouble(), r.path("best_epoch").asInt(), r
                        .path("validation_accuracy").asDouble(),
                r.path("test_accuracy").asDouble(), r.path("test_macro_f1").asDouble());
        say.accept(String.format(Locale.ROOT, "peer: test accuracy %.4f, macro-F1 %.4f", result.testAccuracy(),
                result.testMacroF1()));
        return result;
    }

    private static void split(ObjectNode node, Tokenizer tokenizer, List<LabelledText> examples) {
        node.set("ids", JSON.valueToTree(tokenizer.encodeAll(examples.stream().map(LabelledText::text).toList())));
        node.set("labels", JSON.valueToTree(examples.stream().mapToInt(LabelledText::label).toArray()));
    }
}
