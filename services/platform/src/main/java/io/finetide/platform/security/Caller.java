package io.finetide.platform.security;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who made a call: the identity its key was issued to (a person or a service), the key's roles, and the tasks the key
 * is limited to (none: every task).
 */
public record Caller(String identity, Set<Role> roles, Set<String> tasks) {

    /** Every call when no keys are configured (the local default): all roles, every task. */
    public static final Caller ANYONE = new Caller("anyone", EnumSet.allOf(Role.class), Set.of());

    public Caller {
        roles = Set.copyOf(roles);
        tasks = Set.copyOf(tasks);
    }

    /** Admins may do everything a role allows. */
    public boolean has(Role role) {
        return roles.contains(Role.ADMIN) || roles.contains(role);
    }

    public boolean limitedToTasks() {
        return !tasks.isEmpty();
    }

    public boolean mayUse(String task) {
        return tasks.isEmpty() || tasks.contains(task);
    }
}
