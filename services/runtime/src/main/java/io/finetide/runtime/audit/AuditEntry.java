package io.finetide.runtime.audit;

/**
 * One administrative action: who (the identity of the key), what (the call), on what (the task, when the call names
 * one), when, why (the reason the call gave, when it takes one) and how it ended (the HTTP status).
 */
public record AuditEntry(String actor, String action, String task, String reason, int status, long atMs) {
}
