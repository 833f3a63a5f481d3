package io.finetide.ingestion.labeling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the votes of several annotators on one item into a label, or holds the item for adjudication. */
public final class Quorum {

    public enum Policy {
        /** The label most votes name wins; a tie for the most is held. */
        MAJORITY,
        /** Only a unanimous quorum decides; any disagreement is held. */
        ADJUDICATE
    }

    public enum State {
        WAITING, DECIDED, HELD
    }

    /** {@code label} is set when {@code state} is DECIDED. */
    public record Decision(State state, String label) {
    }

    private Quorum() {
    }

    /**
     * @param votes  every vote on the item so far, one per annotator
     * @param quorum votes needed before anything is decided
     */
    public static Decision decide(List<String> votes, int quorum, Policy policy) {
        if (votes.size() < quorum) {
            return new Decision(State.WAITING, null);
        }
        Map<String, Integer> tally = new LinkedHashMap<>();
        votes.forEach(v -> tally.merge(v, 1, Integer::sum));
        if (tally.size() == 1) {
            return new Decision(State.DECIDED, votes.get(0));
        }
        if (policy == Policy.ADJUDICATE) {
            return new Decision(State.HELD, null);
        }
        int top = tally.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<String> leaders = tally.entrySet().stream().filter(e -> e.getValue() == top).map(Map.Entry::getKey)
                .toList();
        return leaders.size() == 1 ? new Decision(State.DECIDED, leaders.get(0)) : new Decision(State.HELD, null);
    }
}
