package io.asynctrace.reactor;

import io.asynctrace.TaskThreadLocalAccessor;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import reactor.core.publisher.Hooks;
import reactor.core.scheduler.Schedulers;

/**
 * The one call that sets Reactor up for asynctrace, and the one that undoes it.
 *
 * <p>{@link #install()}:
 * <ol>
 * <li>turns on Reactor's automatic context propagation
 *     ({@code Hooks.enableAutomaticContextPropagation()}), so that the task put in the
 *     {@code Context} by {@link Trace#task} is the thread's current task inside
 *     {@code map}, {@code filter}, {@code flatMap} and source lambdas on any
 *     scheduler, and {@link Trace#log(String, String)} lands on it;</li>
 * <li>makes sure the task's {@code ThreadLocalAccessor} (key
 *     {@value io.asynctrace.TaskThreadLocalAccessor#KEY}) is registered with Micrometer's
 *     {@code ContextRegistry} (normally done by the service loader);</li>
 * <li>adds a {@code Schedulers.onScheduleHook} under the key {@value #HOOK_KEY}:
 *     work scheduled on a Reactor {@code Scheduler} while a task is current records
 *     when it was queued, started and finished, on which threads (the trace's jobs),
 *     with the task current while it runs.</li>
 * </ol>
 * Pipelines assembled before {@code install()} keep the mode they were assembled in.
 *
 * <p>Both methods are idempotent and synchronized; {@link #uninstall()} undoes only
 * what {@code install()} did: it leaves automatic propagation on if it was on before,
 * and removes only its own scheduler hook.
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

    private static boolean installed;
    private static boolean enabledPropagation;
    private static boolean registeredAccessor;

    private ReactorTracing() {
    }

    /** Sets everything up; does nothing if already installed. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        if (!Hooks.isAutomaticContextPropagationEnabled()) {
            Hooks.enableAutomaticContextPropagation();
            enabledPropagation = true;
        }
        ContextRegistry registry = ContextRegistry.getInstance();
        if (!hasTaskAccessor(registry)) {
            registry.registerThreadLocalAccessor(new TaskThreadLocalAccessor());
            registeredAccessor = true;
        }
        Schedulers.onScheduleHook(HOOK_KEY, JobHook.INSTANCE);
        installed = true;
    }

    /** Undoes {@link #install()}; does nothing if not installed. */
    public static synchronized void uninstall() {
        if (!installed) {
            return;
        }
        Schedulers.resetOnScheduleHook(HOOK_KEY);
        if (registeredAccessor) {
            ContextRegistry.getInstance().removeThreadLocalAccessor(TaskThreadLocalAccessor.KEY);
            registeredAccessor = false;
        }
        if (enabledPropagation) {
            Hooks.disableAutomaticContextPropagation();
            enabledPropagation = false;
        }
        installed = false;
    }

    /** @return whether {@link #install()} is in effect */
    public static synchronized boolean isInstalled() {
        return installed;
    }

    private static boolean hasTaskAccessor(ContextRegistry registry) {
        for (ThreadLocalAccessor<?> a : registry.getThreadLocalAccessors()) {
            if (TaskThreadLocalAccessor.KEY.equals(a.key())) {
                return true;
            }
        }
        return false;
    }
}
