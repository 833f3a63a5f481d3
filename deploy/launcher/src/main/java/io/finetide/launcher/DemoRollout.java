package io.finetide.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The demo's second model on its way into service under progressive delivery (docs/DELIVERY.md): held-out sentences
 * are asked one by one, as live traffic, and their true labels sent back as a sped-up feedback stream; first while the
 * candidate shadows the champion, then while it answers a canary share. Each transition is shown as it happens.
 */
final class DemoRollout {

    /** The deployment service's settings for the demo: small minimums, so that 900 held-out sentences see it through. */
    static final Map<String, String> SETTINGS = Map.of("FINETIDE_DEPLOYMENT_ROLLOUT_MODE", "PROGRESSIVE",
            "FINETIDE_DEPLOYMENT_ROLLOUT_SHADOW_MIN_REQUESTS", "250", "FINETIDE_DEPLOYMENT_ROLLOUT_SHADOW_MIN_FEEDBACK",
            "100", "FINETIDE_DEPLOYMENT_ROLLOUT_CANARY_SHARE", "0.5", "FINETIDE_DEPLOYMENT_ROLLOUT_CANARY_MIN_REQUESTS",
            "150", "FINETIDE_DEPLOYMENT_ROLLOUT_CANARY_MIN_FEEDBACK", "100");
    static final int SHADOWED = 300;
    static final int KEYED = 600;

    private final PlatformClient client;
    private final Consumer<String> say;
    private final Duration stall;
    private final String rolloutPath = "/api/v1/tasks/" + DemoDriver.TASK + "/delivery/rollout";

    DemoRollout(PlatformClient client, Consumer<String> say, Duration stall) {
        this.client = client;
        this.say = say;
        this.stall = stall;
    }

    /** @return whether the candidate became champion (false: its rollout was aborted) */
    boolean drive(String candidate, List<DemoDriver.Example> heldOut) {
        JsonNode shadow = await("the shadow of " + candidate, r -> r != null && candidate.equals(r.path("modelId")
                .asText()));
        String champion = shadow.path("championModelId").asText();
        say.accept(String.format("rollout: %s shadows %s: the champion answers every request, the candidate scores "
                + "a copy off the request path", candidate, champion));
        List<DemoDriver.Example> live = heldOut.subList(0, Math.min(SHADOWED, heldOut.size()));
        List<Map<String, String>> feedback = new ArrayList<>();
        int byChampion = ask(live, null, champion, feedback);
        // Feedback pairs with the shadow's labels once they are scored: wait for every copy first.
        JsonNode scored = await("the shadow's copies", r -> r == null || !"shadow".equals(r.path("stage").asText())
                || r.path("stageRequests").asInt() >= live.size());
        send(feedback);
        JsonNode canary = await("the shadow's verdict", r -> r == null || !"shadow".equals(r.path("stage")
                .asText()));
        say.accept(String.format("rollout: shadow over %d sentences (%d answered by the champion, as always); "
                + "candidate and champion agreed on %.1f%%", live.size(), byChampion,
                100 * (scored == null
                        ? Double.NaN
                        : scored.path("shadowAgreement").asDouble())));
        if (canary == null) {
            return outcome(candidate);
        }
        say.accept(String.format("rollout: %s is a canary, answering %.0f%% of keyed requests (live accuracy so far: "
                + "candidate %.4f, champion %.4f)", candidate, 100 * canary.path("canaryShare").asDouble(),
                canary.path("candidateAccuracy").asDouble(), canary.path("referenceAccuracy").asDouble()));
        List<DemoDriver.Example> rest = heldOut.subList(live.size(), Math.min(heldOut.size(), live.size() + KEYED));
        feedback.clear();
        int toChampion = ask(rest, "reader-", champion, feedback);
        say.accept(String.format("rollout: of %d keyed requests the canary answered %d, the champion %d", rest
                .size(), rest.size() - toChampion, toChampion));
        send(feedback);
        await("the canary's verdict", r -> r == null);
        return outcome(candidate);
    }

    /** Asks each sentence alone; @return how many the champion answered */
    private int ask(List<DemoDriver.Example> examples, String keyPrefix, String champion,
            List<Map<String, String>> feedback) {
        int byChampion = 0;
        for (int i = 0; i < examples.size(); i++) {
            DemoDriver.Example e = examples.get(i);
            PlatformClient.Predictions p = client.predict(DemoDriver.TASK, List.of(e.text()), keyPrefix == null
                    ? null
                    : keyPrefix + i);
            byChampion += p.modelId().equals(champion) ? 1 : 0;
            feedback.add(Map.of("predictionId", p.predictions().get(0).predictionId(), "label", e.label(), "source",
                    "demo:held-out"));
        }
        return byChampion;
    }

    private void send(List<Map<String, String>> feedback) {
        PlatformClient.Answer a = client.post("deployment", "/api/v1/tasks/" + DemoDriver.TASK + "/feedback",
                feedback);
        if (a.status() != 202) {
            throw new IllegalStateException("feedback answered " + a.status() + ": " + a.body());
        }
    }

    private boolean outcome(String candidate) {
        for (JsonNode m : client.get("deployment", "/api/v1/tasks/" + DemoDriver.TASK + "/models").body()) {
            if (m.path("modelId").asText().equals(candidate) && m.path("stage").asText().equals("CHAMPION")) {
                say.accept("rollout: " + candidate + " passed shadow and canary and is the champion");
                return true;
            }
        }
        JsonNode actions = client.get("deployment", "/api/v1/tasks/" + DemoDriver.TASK + "/delivery").body().path(
                "actions");
        String reason = actions.isEmpty() ? "" : actions.get(actions.size() - 1).path("reason").asText();
        say.accept("rollout: " + candidate + " was aborted, the champion stays: " + reason);
        return false;
    }

    /** Polls the task's rollout (null when it has none) until {@code done}; the stall limit is the deadline. */
    private JsonNode await(String what, Predicate<JsonNode> done) {
        long deadline = System.currentTimeMillis() + stall.toMillis();
        while (System.currentTimeMillis() < deadline) {
            PlatformClient.Answer a = client.get("deployment", rolloutPath);
            JsonNode rollout = a.status() == 200 ? a.body() : null;
            if (done.test(rollout)) {
                return rollout;
            }
            DemoDriver.pause(Duration.ofMillis(200));
        }
        throw new IllegalStateException(what + " did not come within " + stall);
    }
}
