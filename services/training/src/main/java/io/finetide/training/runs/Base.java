package io.finetide.training.runs;

import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * The base a task fine-tunes: a random start of the task's shape, a base that ships with the platform, or a base a
 * user uploaded. Each knows its tokenizer, its pooling, its configuration (from the declared shape, without reading
 * weights) and, only when asked, its weights.
 */
sealed interface Base {

    String name();

    /** The tokenizer as the task cuts texts (its truncation policy travels in the bundle to serving). */
    Tokenizer tokenizer(TaskDefinitionEvent task);

    Pooling pooling();

    TransformerConfig config(TaskDefinitionEvent task, Tokenizer tokenizer, HeadSpec head);

    /** The starting weights: read (a 90-130 MB file for a shipped base) only when no champion is continued. */
    Weights weights(TransformerConfig config, HeadSpec head, TaskDefinitionEvent task, long seed);

    /** The tokenizer the task names, from those that ship with the platform. */
    private static Tokenizer shippedTokenizer(TaskDefinitionEvent task) {
        return Tokenizer.builtin(task.getModel().getTokenizer(), task.getModel().getMaxSeqLen(), Models.truncation(
                task));
    }

    /** Weights of the task's own shape, initialised from the seed. */
    record Random(String name) implements Base {
        @Override
        public Tokenizer tokenizer(TaskDefinitionEvent task) {
            return shippedTokenizer(task);
        }

        @Override
        public Pooling pooling() {
            return Pooling.MEAN;
        }

        @Override
        public TransformerConfig config(TaskDefinitionEvent task, Tokenizer tokenizer, HeadSpec head) {
            return Models.encoder(task, tokenizer.vocabSize(), head);
        }

        @Override
        public Weights weights(TransformerConfig config, HeadSpec head, TaskDefinitionEvent task, long seed) {
            return Weights.initialise(config, seed);
        }
    }

    /** A pretrained encoder from the model library's jars. */
    record Shipped(String name) implements Base {
        @Override
        public Tokenizer tokenizer(TaskDefinitionEvent task) {
            return shippedTokenizer(task);
        }

        @Override
        public Pooling pooling() {
            return PretrainedEncoders.base(name).pooling();
        }

        @Override
        public TransformerConfig config(TaskDefinitionEvent task, Tokenizer tokenizer, HeadSpec head) {
            return PretrainedEncoders.config(name, head, task.getHyperParameters().getDropout());
        }

        @Override
        public Weights weights(TransformerConfig config, HeadSpec head, TaskDefinitionEvent task, long seed) {
            return PretrainedEncoders.load(name, head, task.getHyperParameters().getDropout(), seed).weights();
        }
    }

    /** A Hugging Face folder a user uploaded ({@code user/<name>}), already read with the task's head. */
    record Uploaded(String name, HuggingFaceFolder.Loaded folder) implements Base {
        @Override
        public Tokenizer tokenizer(TaskDefinitionEvent task) {
            return Tokenizer.fromJson(name, folder.tokenizerJson(), task.getModel().getMaxSeqLen(), Models.truncation(
                    task));
        }

        @Override
        public Pooling pooling() {
            return folder.config().pooling();
        }

        @Override
        public TransformerConfig config(TaskDefinitionEvent task, Tokenizer tokenizer, HeadSpec head) {
            return folder.config();
        }

        @Override
        public Weights weights(TransformerConfig config, HeadSpec head, TaskDefinitionEvent task, long seed) {
            return folder.weights();
        }
    }
}
