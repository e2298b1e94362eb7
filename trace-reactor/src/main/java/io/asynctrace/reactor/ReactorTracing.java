package io.asynctrace.reactor;

import reactor.core.publisher.Hooks;
import reactor.core.scheduler.Schedulers;

/**
 * The one call that makes the task of {@link Trace#task} follow its pipeline across
 * threads, and the one that undoes it.
 *
 * <p>{@link #install()} adds two Reactor hooks, and turns no context-propagation mode on:
 * <ol>
 * <li>{@code Schedulers.onScheduleHook} under the key {@value #HOOK_KEY}: work a Reactor
 *     {@code Scheduler} runs for a subscriber whose {@code Context} holds a task
 *     ({@code publishOn}, {@code subscribeOn}, {@code Mono.delay}, {@code timeout},
 *     {@code delayElements}, {@code Flux.interval}) runs with that task current, and is
 *     recorded as one of its jobs (queued, started, finished, on which threads);</li>
 * <li>{@code Hooks.onEachOperator} under the key {@value #OPERATOR_HOOK_KEY}: at
 *     assembly, the few publishers whose signals can come from a thread no scheduler
 *     hop covers ({@code Mono.fromFuture}, {@code create}, sinks, {@code cache} and
 *     {@code share}, reactor-netty's connections and inbound data) get a small
 *     operator after them that makes the task current where a signal arrives on a
 *     thread without it (after a sink, or another publisher that skips assembly, that
 *     operator follows its first operator). Every other operator is left as it is.</li>
 * </ol>
 * Where a signal arrives on a thread whose current task is already the right one, the
 * hooks change nothing; where it differs (a hop), they write the thread's current task
 * and put the previous one back after the signal. No snapshot, no per-signal
 * allocation. While tracing is off, or outside tasks, scheduled work and subscriptions
 * go through untouched. Publishers assembled before {@code install()} are not marked;
 * install before assembling pipelines.
 *
 * <p>If another library turns on Reactor's automatic context propagation, Reactor
 * also restores the task (through trace-core's {@code TaskThreadLocalAccessor}); the
 * hooks then find it current and write nothing, and asynctrace's operators tell
 * Reactor they need no restoring subscriber of their own.
 *
 * <p>Both methods are idempotent and synchronized; {@link #uninstall()} removes only
 * the two hooks {@code install()} added.
 *
 * <pre>{@code
 * ReactorTracing.install();       // at startup
 * Trace.start(out);
 * ...
 * Trace.stop();
 * ReactorTracing.uninstall();     // optional
 * }</pre>
 */
public final class ReactorTracing {
    /** The key of the scheduler hook in {@code Schedulers.onScheduleHook}. */
    public static final String HOOK_KEY = "io.asynctrace.reactor.jobs";
    /** The key of the assembly hook in {@code Hooks.onEachOperator}. */
    public static final String OPERATOR_HOOK_KEY = "io.asynctrace.reactor.hops";

    private static boolean installed;

    private ReactorTracing() {
    }

    /** Adds the hooks; does nothing if already installed. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Schedulers.onScheduleHook(HOOK_KEY, JobHook.INSTANCE);
        Hooks.onEachOperator(OPERATOR_HOOK_KEY, Hops.INSTANCE);
        installed = true;
    }

    /** Undoes {@link #install()}; does nothing if not installed. */
    public static synchronized void uninstall() {
        if (!installed) {
            return;
        }
        Schedulers.resetOnScheduleHook(HOOK_KEY);
        Hooks.resetOnEachOperator(OPERATOR_HOOK_KEY);
        installed = false;
    }

    /** @return whether {@link #install()} is in effect */
    public static synchronized boolean isInstalled() {
        return installed;
    }
}
