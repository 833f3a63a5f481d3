package io.finetide.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finetide.model.metrics.EntityF1;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.TaggedWords;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;

/**
 * WNUT-17's side-by-side run: the same BIO fine-tuning in Hugging Face transformers on PyTorch
 * ({@code benchmarks/python/tagging_peer.py}), from the same initial weights (the new token head included), on the
 * same word pieces cut at the same length, each word's label at its first piece. Its test tags are scored here, by the
 * library's {@link EntityF1}, and its own figure must agree with that.
 */
final class TaggingPeer {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One fine-tuning: on {@code train} for {@code epochs}, keeping the epoch with the best entity F1 on {@code dev},
     * or the last one with {@code keepLast} (a refit whose epoch count was chosen before).
     */
    record Run(List<TaggedWords> train, List<TaggedWords> dev, List<TaggedWords> test, int epochs, boolean keepLast) {
    }

    /** The peer's outcome: its test entity F1 as the library computes it. */
    record Result(String versions, long steps, double seconds, int epochs, int bestEpoch, double devF1,
            EntityF1 test) {
    }

    private TaggingPeer() {
    }

    static Result fineTune(QualityPeer.Setup setup, TransformerConfig config, Weights initial, Tokenizer tokenizer,
            List<String> tags, Run run, QualityBenchmark.Options o, Consumer<String> say) throws IOException,
            InterruptedException {
        Files.createDirectories(setup.work());
        Path folder = setup.work().resolve(o.base() + "-wnut17-hf");
        HuggingFaceFolder.write(folder, config, initial, tokenizer.json());
        ObjectNode data = JSON.createObjectNode();
        data.put("pad", tokenizer.padId());
        data.set("tags", JSON.valueToTree(tags));
        ObjectNode trainNode = data.putObject("train");
        ArrayNode trainIds = trainNode.putArray("ids");
        ArrayNode trainLabels = trainNode.putArray("labels");
        for (TaggedWords t : run.train()) {
            Tokenizer.Words w = tokenizer.encodeWords(t.words());
            trainIds.add(JSON.valueToTree(w.ids()));
            trainLabels.add(JSON.valueToTree(w.positionLabels(t.tags())));
        }
        toTag(data.putObject("validation"), tokenizer, tags, run.dev());
        toTag(data.putObject("test"), tokenizer, tags, run.test());
        Path file = setup.work().resolve(o.base() + "-wnut17-splits.json");
        JSON.writeValue(file.toFile(), data);
        say.accept("running the PyTorch tagging peer (" + setup.python() + ") on " + run.train().size()
                + " sentences for " + run.epochs() + " epochs");
        List<String> command = new ArrayList<>(List.of(setup.python().toString(), setup.scripts().resolve(
                "tagging_peer.py").toString(), "--folder", folder.toString(), "--data", file.toString(), "--epochs",
                String.valueOf(run.epochs()), "--lr", String.valueOf(o.learningRate()), "--batch", String.valueOf(o
                        .batchSize()),
                "--threads", String.valueOf(o.threads())));
        if (run.keepLast()) {
            command.add("--keep-last");
        }
        JsonNode r = PythonPeer.run(command, "the PyTorch tagging peer");
        List<List<String>> predicted = new ArrayList<>();
        r.path("test_tags").forEach(sentence -> {
            List<String> words = new ArrayList<>();
            sentence.forEach(tag -> words.add(tag.asText()));
            predicted.add(words);
        });
        EntityF1 f = EntityF1.of(run.test().stream().map(t -> t.tagNames(tags)).toList(), predicted);
        double own = r.path("test_entity_f1").asDouble();
        if (Math.abs(own - f.f1()) > 1e-9) {
            throw new IllegalStateException("the peer's entity F1 " + own + " is not the library's " + f.f1()
                    + " on the same tags: one of the two chunkers is wrong");
        }
        say.accept(String.format(Locale.ROOT, "peer: test entity F1 %.4f (precision %.4f, recall %.4f)", f.f1(), f
                .precision(), f.recall()));
        return new Result("transformers " + r.path("transformers").asText() + ", PyTorch " + r.path("torch")
                .asText(), r.path("steps").asLong(), r.path("seconds").asDouble(), run.epochs(), r.path("best_epoch")
                        .asInt(),
                r
                        .path("dev_entity_f1").asDouble(),
                f);
    }

    /** Sentences to tag: their pieces cut at the length, the word of each piece, how many words, the true tags. */
    private static void toTag(ObjectNode node, Tokenizer tokenizer, List<String> tags, List<TaggedWords> sentences) {
        ArrayNode ids = node.putArray("ids");
        ArrayNode wordIds = node.putArray("word_ids");
        ArrayNode count = node.putArray("count");
        ArrayNode truth = node.putArray("tags");
        for (TaggedWords t : sentences) {
            Tokenizer.Words w = tokenizer.encodeWords(t.words());
            ids.add(JSON.valueToTree(w.ids()));
            wordIds.add(JSON.valueToTree(w.wordIds()));
            count.add(w.count());
            truth.add(JSON.valueToTree(t.tagNames(tags)));
        }
    }
}
