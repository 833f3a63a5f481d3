package io.finetide.runtime.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.finetide.platform.security.Role;

/**
 * The roles that may call a resource method (or every method of a resource class); {@code ADMIN} may call
 * everything. An empty list means any authenticated caller. Methods without it (health, metrics) are open.
 *
 * <p>
 * A key limited to some tasks may call a method only for one of them: the task is the path parameter
 * {@link #taskParam()}; with {@link #checksTasksItself()} the resource checks the tasks with {@link CurrentCaller}
 * (those named in the body, item by item, or a list it filters). A method with neither (a base model) is refused to
 * such a key.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Requires {
    Role[] value() default {};

    /** The path parameter that names the task. */
    String taskParam() default "task";

    /** The resource checks the caller's tasks itself. */
    boolean checksTasksItself() default false;
}
