package io.finetide.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    static final String ANNA = "anna-key-0123456789";
    static final String BOT = "ticket-bot-key-9876";

    @Test
    void aKeyIdentifiesItsHolderWithRolesAndTasks() {
        ApiKeys keys = ApiKeys.parse("""
                # people and services, hashed
                anna      annotator        %s
                ticket-bot producer+annotator %s tasks=tickets|complaints
                """.formatted(ApiKeys.hash(ANNA), ApiKeys.hash(BOT)));
        Caller anna = keys.callerOf(ANNA).orElseThrow();
        assertThat(anna.identity()).isEqualTo("anna");
        assertThat(anna.roles()).containsExactly(Role.ANNOTATOR);
        assertThat(anna.limitedToTasks()).isFalse();
        Caller bot = keys.callerOf(BOT).orElseThrow();
        assertThat(bot.identity()).isEqualTo("ticket-bot");
        assertThat(bot.has(Role.PRODUCER)).isTrue();
        assertThat(bot.has(Role.ADMIN)).isFalse();
        assertThat(bot.mayUse("tickets")).isTrue();
        assertThat(bot.mayUse("loans")).isFalse();
        assertThat(keys.callerOf(ApiKeys.hash(ANNA))).as("the hash is not the key").isEmpty();
        assertThat(keys.callerOf("nobody-has-this-key")).isEmpty();
    }

    @Test
    void keysInClearStillWorkAndAreNamedByTheirHash() {
        ApiKeys keys = ApiKeys.parse("legacy-admin-key=admin,legacy-prod-key1=producer+annotator");
        Caller admin = keys.callerOf("legacy-admin-key").orElseThrow();
        assertThat(admin.identity()).isEqualTo("key-" + ApiKeys.hash("legacy-admin-key").substring(7, 15));
        assertThat(admin.has(Role.PRODUCER)).isTrue();
        assertThat(keys.callerOf("legacy-prod-key1").orElseThrow().roles()).containsExactlyInAnyOrder(Role.PRODUCER,
                Role.ANNOTATOR);
    }

    @Test
    void aBadEntryIsRefusedWithItsPositionAndNeverEchoesTheKey() {
        String secret = "short-secret";
        assertThatThrownBy(() -> ApiKeys.parse("anna annotator sha256:abc")).hasMessageContaining("entry 1")
                .hasMessageContaining("sha256:<64");
        assertThatThrownBy(() -> ApiKeys.parse("a annotator " + ApiKeys.hash(ANNA) + "\nb boss " + ApiKeys.hash(
                BOT))).hasMessageContaining("entry 2").hasMessageContaining("unknown role 'boss'");
        assertThatThrownBy(() -> ApiKeys.parse("a annotator " + ApiKeys.hash(ANNA) + "\na admin " + ApiKeys.hash(
                BOT))).hasMessageContaining("identity 'a' has another key");
        assertThatThrownBy(() -> ApiKeys.parse("b producer " + ApiKeys.hash(BOT) + " tasks=Not_A_Task"))
                .hasMessageContaining("not a task name");
        assertThatThrownBy(() -> ApiKeys.parse("tiny=admin")).hasMessageContaining("at least 12")
                .hasMessageNotContaining(
                        "tiny");
        assertThatThrownBy(() -> ApiKeys.parse(secret + "=root")).hasMessageContaining("unknown role")
                .hasMessageNotContaining(secret);
    }

    @Test
    void aKeyFileIsReadAgainWhenItChangesAndABrokenOneKeepsTheKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "anna annotator " + ApiKeys.hash(ANNA) + "\n");
        List<String> warnings = new ArrayList<>();
        KeyRing ring = new KeyRing("legacy-admin-key=admin", Optional.of(file), Duration.ZERO, warnings::add);
        assertThat(ring.current().size()).isEqualTo(2);
        assertThat(ring.current().callerOf(ANNA)).isPresent();

        // Rotation: the bot's key is added and anna's removed, without a restart.
        Files.writeString(file, "ticket-bot producer " + ApiKeys.hash(BOT) + " tasks=tickets\n");
        assertThat(ring.current().callerOf(ANNA)).isEmpty();
        assertThat(ring.current().callerOf(BOT).map(Caller::tasks)).contains(Set.of("tickets"));
        assertThat(ring.current().callerOf("legacy-admin-key")).isPresent();

        Files.writeString(file, "ticket-bot producer sha256:not-hex-at-all\n");
        assertThat(ring.current().callerOf(BOT)).as("a broken file keeps the keys").isPresent();
        assertThat(warnings).singleElement().asString().contains("keys stay as they were");
        assertThat(warnings.get(0)).doesNotContain(BOT);

        Files.writeString(dir.resolve("broken"), "x");
        assertThatThrownBy(() -> new KeyRing("", Optional.of(dir.resolve("broken")), Duration.ZERO, w -> {
        })).isInstanceOf(IllegalArgumentException.class);
    }
}
