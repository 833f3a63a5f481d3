package io.finetide.deployment.serving;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.generate.GenerationSettings;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.CompletionWriter;
import io.finetide.model.infer.Tagger;
import io.finetide.platform.store.ArtifactStore;

/** Loads a registered model from the artifact store, warmed up and ready to answer. */
@ApplicationScoped
public class ModelLoader {

    @Inject
    ArtifactStore artifacts;

    @Inject
    DeploymentConfig config;

    public ServedModel load(ModelRecord model) {
        ModelBundle bundle = ModelBundle.fromBytes(artifacts.require(model.artifact()));
        if (bundle.generates()) {
            CompletionWriter writer = CompletionWriter.load(bundle, config.threads());
            writer.write("warm up", GenerationSettings.greedy(1), List.of());
            return new ServedModel(model.modelId(), model.version(), writer);
        }
        if (bundle.config().tokenClassification()) {
            Tagger tagger = Tagger.load(bundle, config.threads());
            tagger.tag(List.of(List.of("warm", "up")));
            return new ServedModel(model.modelId(), model.version(), tagger);
        }
        Classifier classifier = Classifier.load(bundle, config.threads());
        // Warm-up: the first run plans the graph; pay it before the model takes traffic.
        classifier.predict(List.of("warm up"));
        return new ServedModel(model.modelId(), model.version(), classifier);
    }
}
