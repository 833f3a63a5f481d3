package io.finetide.launcher.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.finetide.launcher.LocalPlatform;
import io.finetide.launcher.ManagedProcess;
import io.finetide.launcher.PlatformClient;

/**
 * The campaign's second half: the snapshots its first half ends with go through training, evaluation and two
 * deployment instances in their consumer groups, while each of those services is killed with SIGKILL once, at the
 * moment it has work in hand (training with a run's checkpoint on disk, evaluation when the first model is announced,
 * the first deployment instance when the first verdict is), and started again. Then the accounting from the topics,
 * the registry and the audit log: one model per snapshot, one verdict per model, no promotion twice or without a
 * blessed verdict, both deployment instances serving the registry's champion, every instance ready, no consumer lag.
 */
final class TrainingToServing implements AutoCloseable {

    static final List<String> DEPLOYMENT = List.of("deployment", "deployment-2");
    /** The kills of this stage, in the order their moments come. */
    static final List<String> VICTIMS = List.of("training", "evaluation", "deployment");

    private final LocalPlatform platform;
    private final Consumer<String> say;
    private final List<String> killed = new CopyOnWriteArrayList<>();
    private final Thread faults;
    private volatile boolean closed;
    private volatile boolean trainingKilledMidRun;
    private volatile RuntimeException failure;

    /** Starts the stage's faults, which wait for their moments: the first half has not made a snapshot yet. */
    TrainingToServing(LocalPlatform platform, Consumer<String> say) {
        this.platform = platform;
        this.say = say;
        this.faults = new Thread(this::injectFaults, "chaos-model-faults");
        faults.setDaemon(true);
        faults.start();
    }

    private void injectFaults() {
        try {
            Optional<Path> checkpoint = await(Duration.ofMillis(20), this::checkpoint);
            if (checkpoint.isEmpty()) {
                return;
            }
            platform.kill("training");
            // Removed once the model is announced: still there, the run had not finished.
            trainingKilledMidRun = Files.exists(checkpoint.get());
            restart("training", "with a run's checkpoint on disk" + (trainingKilledMidRun
                    ? ""
                    : " (its run had "
                            + "just finished)"));
            if (await(Duration.ofSeconds(1), () -> !ModelEvents.read(platform, ChaosCampaign.TASK).models().isEmpty()
                    ? Optional.of(true)
                    : Optional.empty()).isEmpty()) {
                return;
            }
            platform.kill("evaluation");
            restart("evaluation", "as the first model was announced");
            if (await(Duration.ofSeconds(1), () -> !ModelEvents.read(platform, ChaosCampaign.TASK).verdictsByModel()
                    .isEmpty() ? Optional.of(true) : Optional.empty()).isEmpty()) {
                return;
            }
            platform.kill("deployment");
            restart("deployment", "as the first verdict was announced");
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void restart(String service, String when) {
        say.accept("chaos: " + service + " killed (SIGKILL) " + when);
        platform.restart(service);
        killed.add(service);
    }

    /** The checkpoint of a training run in progress, if one is on disk. */
    private Optional<Path> checkpoint() {
        Path dir = platform.checkpointDir();
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            return files.filter(f -> f.getFileName().toString().equals("checkpoint.bin")).findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // a run's directory removed while it was listed
        }
    }

    /** Waits until {@code look} finds something, looking every {@code interval}; empty once the stage is closed. */
    private <T> Optional<T> await(Duration interval, java.util.function.Supplier<Optional<T>> look) {
        while (!closed) {
            Optional<T> found = look.get();
            if (found.isPresent()) {
                return found;
            }
            ManagedProcess.pause(interval);
        }
        return Optional.empty();
    }

    /** Once the first half has made its snapshots: waits for the models to be judged and decided, then accounts. */
    void account(Accounting a, PlatformClient client, Duration timeout) throws InterruptedException {
        ModelEvents[] events = {ModelEvents.read(platform, ChaosCampaign.TASK)};
        boolean settled = ChaosCampaign.awaitQuietly(timeout, () -> {
            events[0] = ModelEvents.read(platform, ChaosCampaign.TASK);
            return events[0].settled() && registry(client).stream().noneMatch(m -> m.path("stage").asText().equals(
                    "CANDIDATE")) && killed.size() == VICTIMS.size();
        });
        faults.join(Duration.ofMinutes(5).toMillis());
        if (failure != null) {
            throw failure;
        }
        ModelEvents e = events[0];
        List<JsonNode> registry = registry(client);
        a.expect("services killed with work in hand (" + String.join(", ", VICTIMS)
                + ")", VICTIMS.size(), killed.size());
        a.expect("snapshots trained into exactly one model", e.snapshots().size(), e.snapshots().stream().filter(
                s -> e.modelsBySnapshot().getOrDefault(s, java.util.Set.of()).size() == 1).count());
        a.expect("training runs killed mid-run that resumed from their checkpoint", trainingKilledMidRun ? 1 : 0, e
                .resumedRuns());
        a.expect("models trained that have a verdict", e.models().size(), e.models().stream().filter(e
                .verdictsByModel()::containsKey).count());
        a.expect("models with verdicts that disagree", 0, e.verdictsByModel().values().stream().filter(v -> v
                .stream().distinct().count() > 1).count());
        a.expect("models in the registry decided (not left a candidate)", e.models().size(), registry.stream().filter(
                m -> e.models().contains(m.path("modelId").asText()) && !m.path("stage").asText().equals(
                        "CANDIDATE"))
                .count());
        Map<String, Long> promotions = promotionsByModel(client);
        a.expect("models promoted more than once (audit log)", 0, promotions.values().stream().filter(n -> n > 1)
                .count());
        a.expect("models that served as champion without a blessed verdict", 0, registry.stream().filter(m -> m.path(
                "promotedAtMs").asLong() > 0).filter(m -> !e.verdictsByModel()
                        .getOrDefault(m.path("modelId").asText(), List.of()).contains(true))
                .count());
        boolean hasChampion = registry.stream().anyMatch(m -> m.path("stage").asText().equals("CHAMPION"));
        // An instance takes a new champion up when the promotion reaches it on the promotions topic, seconds after
        // the registry names it (CI saw 2.3 s): two minutes are the bound, not a wait.
        ChaosCampaign.awaitQuietly(Duration.ofMinutes(2), () -> DEPLOYMENT.stream().filter(i -> servesChampion(client,
                i) == hasChampion).count() == DEPLOYMENT.size());
        a.expect("deployment instances serving the registry's champion" + (hasChampion
                ? ""
                : " (none: no model "
                        + "passed the gate)"),
                DEPLOYMENT.size(), DEPLOYMENT.stream().filter(i -> servesChampion(client, i) == hasChampion).count());
        List<String> instances = platform.instances();
        a.expect("service instances ready", instances.size(), instances.stream().filter(i -> client.tryGet(i,
                "/q/health/ready").status() == 200).count());
        List<Map<String, Long>> lagging = new java.util.ArrayList<>(List.of(Map.of()));
        ChaosCampaign.awaitQuietly(Duration.ofMinutes(5), () -> {
            lagging.set(0, ConsumerLag.laggingGroups(platform));
            return lagging.get(0).isEmpty();
        });
        a.expect("consumer groups with members still behind their topics' ends", 0, lagging.get(0).size());
        a.note(String.format(
                "training to serving: %d snapshots, %d models, %d promoted; training, evaluation and the first "
                        + "deployment instance killed once each%s%s",
                e.snapshots().size(), e.models().size(),
                promotions
                        .size(),
                settled ? "" : "; NOT SETTLED within " + timeout, lagging.get(0).isEmpty()
                        ? ""
                        : "; groups behind (records): " + lagging.get(0)));
    }

    /** The task's models as the registry holds them, from whichever deployment instance answers. */
    private static List<JsonNode> registry(PlatformClient client) {
        return answer(client, "/api/v1/tasks/" + ChaosCampaign.TASK + "/models").map(body -> {
            List<JsonNode> out = new java.util.ArrayList<>();
            body.forEach(out::add);
            return out;
        }).orElse(List.of());
    }

    /** The first deployment instance's answer, or the second's while the first is down. */
    private static Optional<JsonNode> answer(PlatformClient client, String path) {
        for (String instance : DEPLOYMENT) {
            PlatformClient.Answer a = client.tryGet(instance, path);
            if (a.status() == 200 && a.body() != null && a.body().isArray()) {
                return Optional.of(a.body());
            }
        }
        return Optional.empty();
    }

    /** Whether the instance serves the registry's champion (its view of the registry marks what it serves). */
    private static boolean servesChampion(PlatformClient client, String instance) {
        PlatformClient.Answer models = client.tryGet(instance, "/api/v1/tasks/" + ChaosCampaign.TASK + "/models");
        if (models.status() != 200) {
            return false;
        }
        for (JsonNode m : models.body()) {
            if (m.path("champion").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    /** The automatic promotions the audit log holds, per model. */
    private static Map<String, Long> promotionsByModel(PlatformClient client) {
        Map<String, Long> out = new HashMap<>();
        answer(client, "/api/v1/audit?task=" + ChaosCampaign.TASK + "&actor=automatic&limit=1000").ifPresent(
                entries -> entries.forEach(entry -> {
                    String action = entry.path("action").asText();
                    if (action.startsWith("PROMOTE ")) {
                        out.merge(action.substring("PROMOTE ".length()), 1L, Long::sum);
                    }
                }));
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }
}
