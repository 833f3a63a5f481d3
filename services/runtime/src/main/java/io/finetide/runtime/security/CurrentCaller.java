package io.finetide.runtime.security;

import jakarta.enterprise.context.RequestScoped;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.security.Caller;

/** Who is calling, as {@link ApiKeyFilter} found it: {@link Caller#ANYONE} when no keys are configured. */
@RequestScoped
public class CurrentCaller {

    private Caller caller = Caller.ANYONE;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Caller get() {
        return caller;
    }

    /** @throws RejectedException TASK_NOT_ALLOWED when the caller's key is limited to other tasks */
    public void requireTask(String task) {
        if (!caller.mayUse(task)) {
            throw new RejectedException(ReasonCode.TASK_NOT_ALLOWED, "the key of '" + caller.identity()
                    + "' is limited to the tasks " + new java.util.TreeSet<>(caller.tasks()) + ", not '" + task + "'");
        }
    }
}
