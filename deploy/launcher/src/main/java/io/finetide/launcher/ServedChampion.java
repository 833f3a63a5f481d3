package io.finetide.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The demo's champion as its users meet it: answers on held-out sentences, why it gave one, and the true labels sent
 * back as live feedback.
 */
final class ServedChampion {

    private final PlatformClient client;
    private final Consumer<String> say;
    private final Duration stall;

    ServedChampion(PlatformClient client, Consumer<String> say, Duration stall) {
        this.client = client;
        this.say = say;
        this.stall = stall;
    }

    void showPredictions(List<DemoDriver.Example> heldOut) {
        List<DemoDriver.Example> sample = List.of(heldOut.get(0), heldOut.get(1), heldOut.get(2), heldOut.get(3),
                heldOut.get(4));
        PlatformClient.Predictions p = client.predict(DemoDriver.TASK, DemoDriver.texts(sample));
        say.accept("predictions of " + p.modelId() + " (version " + p.version() + ") on held-out sentences:");
        for (int i = 0; i < sample.size(); i++) {
            String text = sample.get(i).text();
            say.accept(String.format("  %-8s %.2f  (truth %-8s) %s", p.predictions().get(i).label(),
                    p.predictions().get(i).confidence(), sample.get(i).label(),
                    text.length() > 70 ? text.substring(0, 67) + "..." : text));
        }
    }

    /** Why the champion answers as it does for one sentence: the words that pushed its answer most, either way. */
    void explain(String text) {
        PlatformClient.Answer why = client.post("deployment", "/api/v1/tasks/" + DemoDriver.TASK + "/explain", Map.of(
                "text", text));
        if (why.status() != 200) {
            say.accept("explanation answered " + why.status() + ": " + why.body());
            return;
        }
        List<JsonNode> words = new ArrayList<>();
        why.body().get("words").forEach(words::add);
        words.sort(Comparator.comparingDouble(w -> -Math.abs(w.get("attribution").asDouble())));
        StringBuilder top = new StringBuilder();
        for (JsonNode w : words.subList(0, Math.min(5, words.size()))) {
            top.append(String.format(" %s %+.3f;", w.get("word").asText(), w.get("attribution").asDouble()));
        }
        say.accept(String.format("why '%s' for \"%s\" (integrated gradients, %d steps, completeness gap %.4f): "
                + "probability %.3f from %.3f on an all-padding input; the words that moved it most:%s",
                why.body()
                        .get("label").asText(),
                text.length() > 60 ? text.substring(0, 57) + "..." : text, why.body()
                        .get("steps").asInt(),
                why.body().get("completenessGap").asDouble(), why.body().get("probability").asDouble(), why.body().get(
                        "baseline").asDouble(),
                top));
    }

    /**
     * The held-out sentences through the champion, and their true labels sent back as live feedback (as a system that
     * learns the truth later would): the champion's live accuracy, held against its offline figure by the rollback
     * rule.
     *
     * @return the champion's accuracy on them
     */
    double liveFeedback(List<DemoDriver.Example> heldOut, double offline) {
        List<Map<String, String>> feedback = new ArrayList<>();
        String modelId = null;
        int correct = 0;
        for (int start = 0; start < heldOut.size(); start += 128) {
            List<DemoDriver.Example> chunk = heldOut.subList(start, Math.min(heldOut.size(), start + 128));
            PlatformClient.Predictions p = client.predict(DemoDriver.TASK, DemoDriver.texts(chunk));
            modelId = p.modelId();
            for (int i = 0; i < chunk.size(); i++) {
                correct += p.predictions().get(i).label().equals(chunk.get(i).label()) ? 1 : 0;
                feedback.add(Map.of("predictionId", p.predictions().get(i).predictionId(), "label", chunk.get(i)
                        .label(), "source", "demo:held-out"));
            }
        }
        // Feedback from the rollout may have been taken already: this feedback is what comes after.
        long before = taken(modelId);
        for (int start = 0; start < feedback.size(); start += 500) {
            PlatformClient.Answer a = client.post("deployment", "/api/v1/tasks/" + DemoDriver.TASK + "/feedback",
                    feedback
                            .subList(start, Math.min(feedback.size(), start + 500)));
            if (a.status() != 202) {
                throw new IllegalStateException("feedback answered " + a.status() + ": " + a.body());
            }
        }
        String champion = modelId;
        long deadline = System.currentTimeMillis() + stall.toMillis();
        JsonNode figures = null;
        while (System.currentTimeMillis() < deadline) {
            for (JsonNode m : client.get("deployment", "/api/v1/tasks/" + DemoDriver.TASK + "/live").body()
                    .get("models")) {
                if (m.get("modelId").asText().equals(champion) && m.get("taken").asLong() >= before + feedback.size()) {
                    figures = m;
                }
            }
            if (figures != null) {
                break;
            }
            DemoDriver.pause(Duration.ofMillis(200)); // a poll of the live figures; the deadline is the stall limit
        }
        if (figures == null) {
            throw new IllegalStateException("the feedback on " + champion + " was not taken within " + stall);
        }
        say.accept(String.format("live feedback: the true labels of the %,d held-out answers sent back; %s's live "
                + "accuracy over its last %d is %.4f, macro-F1 %.4f (offline %.4f: a fall of more than 0.05 would "
                + "restore the previous champion)", feedback.size(), champion, figures.get("feedback").asInt(),
                figures.get("accuracy").asDouble(), figures.get("macroF1").asDouble(), offline));
        return heldOut.isEmpty() ? 0 : correct / (double) heldOut.size();
    }

    private long taken(String modelId) {
        for (JsonNode m : client.get("deployment", "/api/v1/tasks/" + DemoDriver.TASK + "/live").body().get(
                "models")) {
            if (m.get("modelId").asText().equals(modelId)) {
                return m.get("taken").asLong();
            }
        }
        return 0;
    }
}
