package io.asynctrace.reactor;

import io.asynctrace.RecordingStats;
import io.asynctrace.Span;
import io.asynctrace.Task;
import io.asynctrace.TaskThreadLocalAccessor;
import io.asynctrace.TraceOptions;
import java.io.OutputStream;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.util.context.ContextView;

/**
 * asynctrace for Reactor: tasks that live in the subscriber {@code Context} and follow
 * their pipeline across threads, spans from subscribe to terminal signal, logs from
 * inside any operator, and the whole {@link io.asynctrace.Trace} API behind the same
 * import (every public static method of core's {@code Trace} has its twin here, with
 * the same signature and behaviour; {@code TraceApiTest} keeps the two in step).
 *
 * <pre>{@code
 * import io.asynctrace.reactor.Trace;
 *
 * ReactorTracing.install();   // once, at startup: follow tasks across thread hops
 * Flux<Cup> cups = Flux.fromIterable(orders)
 *     .flatMap(order -> Mono.zip(
 *             steamMilk(order).transform(Trace.span("steamMilk"))
 *                 .subscribeOn(Schedulers.boundedElastic()),
 *             extractCoffee(order).transform(Trace.span("extractCoffee"))
 *                 .subscribeOn(Schedulers.parallel()))
 *         .map(t -> { Trace.log("orderID", order.id()); return mix(t); })
 *         .transform(Trace.span("mixMilkCoffee"))
 *         .transform(Trace.task("order")));
 * }</pre>
 *
 * <p><b>Tasks.</b> {@link #task(String)} creates one task per subscription, at
 * subscribe time. Its parent is the task already in the downstream {@code Context},
 * else the subscribing thread's current task. It is stored in the {@code Context}
 * under {@link #CONTEXT_KEY} and ends at the first of: complete or a {@code Mono}'s
 * value ({@code "ok"}), error (the exception's class name), cancel ({@code "cancelled"}).
 *
 * <p><b>Where the task is current.</b> The task is the thread's current task wherever
 * the code upstream of {@code Trace.task} runs, so {@link #log(String, String)},
 * {@link #withSpan} and core's {@code Trace.log} land on it from {@code map},
 * {@code filter}, {@code flatMap}, {@code handle} and source lambdas:
 * <ul>
 * <li>always, on the threads that subscribe and request (synchronous pipelines);</li>
 * <li>with {@link ReactorTracing#install()}, also after every hop: {@code publishOn},
 *     {@code subscribeOn}, {@code flatMap} inners on other schedulers,
 *     {@code Mono.delay}, {@code delayElements}, {@code timeout}, {@code Mono.fromFuture}
 *     completed by any pool, {@code cache}/{@code share}, reactor-netty client
 *     responses, and sinks from the second operator on (a sink's {@code asMono()}
 *     skips Reactor's assembly hooks, so its first operator runs where the value was
 *     emitted). Reactor's automatic context propagation is not needed;</li>
 * <li>any mode: {@link #log(ContextView, String, String)} with the view from
 *     {@code Mono.deferContextual} or {@code Flux.deferContextual}.</li>
 * </ul>
 * Downstream of {@code Trace.task}, the outer task (the one in the downstream
 * {@code Context}, else the subscribing thread's) is current again.
 *
 * <p><b>Cost.</b> While tracing is off, {@code task} and {@code span} add no subscriber
 * to a subscription: one volatile read. While on, switching the current task is a
 * thread-local read, and a field write only where the thread had another task current.
 * Nothing here throws into the application, except {@code transform} on a publisher
 * that is neither a {@code Mono} nor a {@code Flux} (a programming error).
 */
public final class Trace {
    /** The {@code Context} key of the current task: {@value io.asynctrace.TaskThreadLocalAccessor#KEY}. */
    public static final String CONTEXT_KEY = TaskThreadLocalAccessor.KEY;

    private Trace() {
    }

    /**
     * Returns a function for {@code Mono.transform} or {@code Flux.transform} that runs
     * every subscription as a new task of type {@code type}.
     *
     * <pre>{@code
     * Mono<Receipt> pay = charge(card).transform(Trace.task("payment"));
     * }</pre>
     *
     * @param type the task type, such as {@code "order"}; keep types few
     * @param <T> the element type
     * @param <P> the publisher type, {@code Mono<T>} or {@code Flux<T>}; kept by the function
     * @return the function; it throws {@link IllegalArgumentException} if applied to
     *         another kind of publisher
     */
    public static <T, P extends Publisher<T>> Function<P, P> task(String type) {
        return new Instrument<>(type, true);
    }

    /**
     * Returns a function for {@code Mono.transform} or {@code Flux.transform} that
     * records each subscription as a span named {@code name}, from subscribe to the
     * first terminal signal (a {@code Mono}'s value, complete, error or cancel), under
     * the task in the {@code Context} (else the subscribing thread's current task;
     * with no task at all, a span of no task, as {@link #startDetachedSpan}). It changes
     * no thread's current task. The span records the thread it
     * began on and the one it ended on; error and cancel are recorded as its
     * attribute {@code outcome}.
     *
     * <pre>{@code
     * Mono<Milk> milk = steamMilk(order).transform(Trace.span("steamMilk"));
     * }</pre>
     *
     * @param name the span name; keep names few
     * @param <T> the element type
     * @param <P> the publisher type, {@code Mono<T>} or {@code Flux<T>}; kept by the function
     * @return the function; it throws {@link IllegalArgumentException} if applied to
     *         another kind of publisher
     */
    public static <T, P extends Publisher<T>> Function<P, P> span(String name) {
        return new Instrument<>(name, false);
    }

    /**
     * Records a message on the task stored in {@code context}, or on the thread's current
     * task when there is none; for {@code deferContextual} and {@code transformDeferredContextual}.
     *
     * <pre>{@code
     * Mono<String> m = Mono.deferContextual(ctx -> {
     *     Trace.log(ctx, "cache", "miss");
     *     return load(key);
     * });
     * }</pre>
     *
     * @param context the subscriber context
     * @param category the category; keep categories few
     * @param message free text
     */
    public static void log(ContextView context, String category, String message) {
        if (!io.asynctrace.Trace.isEnabled()) {
            return;
        }
        Task t = context == null ? null : Contexts.task(context);
        if (t != null) {
            t.log(category, message);
        } else {
            io.asynctrace.Trace.log(category, message);
        }
    }

    /**
     * @param context a subscriber context
     * @return the task stored in it under {@link #CONTEXT_KEY}, or null
     */
    public static Task currentTask(ContextView context) {
        return context == null ? null : Contexts.task(context);
    }

    // ---- the core API, delegated -------------------------------------------------------------

    /**
     * Same as {@link io.asynctrace.Trace#start(OutputStream)}.
     *
     * @param out where the trace is written; flushed, never closed, by {@link #stop()}
     * @throws IllegalStateException if tracing is already on
     */
    public static void start(OutputStream out) {
        io.asynctrace.Trace.start(out);
    }

    /**
     * Same as {@link io.asynctrace.Trace#start(OutputStream, TraceOptions)}.
     *
     * @param out where the trace is written; flushed, never closed, by {@link #stop()}
     * @param options buffer sizing and strictness
     * @throws IllegalStateException if tracing is already on
     */
    public static void start(OutputStream out, TraceOptions options) {
        io.asynctrace.Trace.start(out, options);
    }

    /**
     * Same as {@link io.asynctrace.Trace#startOrJoin(OutputStream, TraceOptions)}.
     *
     * @param out where the trace is written; flushed, never closed, by {@link #stop()}
     * @param options the options of a recording this starts
     * @return true if it started a recording with {@code options}; false if it joined the running one
     * @throws IllegalStateException if a {@code Trace.start} output is already attached
     */
    public static boolean startOrJoin(OutputStream out, TraceOptions options) {
        return io.asynctrace.Trace.startOrJoin(out, options);
    }

    /**
     * Same as {@link io.asynctrace.Trace#stop()}.
     *
     * @return what the recording wrote
     */
    public static RecordingStats stop() {
        return io.asynctrace.Trace.stop();
    }

    /** @return whether a recording is in progress */
    public static boolean isEnabled() {
        return io.asynctrace.Trace.isEnabled();
    }

    /**
     * Same as {@link io.asynctrace.Trace#newTask(String)}.
     *
     * @param type the task type; keep types few
     * @return the new task, child of the thread's current task, not yet current
     */
    public static Task newTask(String type) {
        return io.asynctrace.Trace.newTask(type);
    }

    /** @return the calling thread's current task, or null */
    public static Task currentTask() {
        return io.asynctrace.Trace.currentTask();
    }

    /**
     * Same as {@link io.asynctrace.Trace#withSpan(String, Runnable)}.
     *
     * @param name the span name; keep names few
     * @param body the work
     */
    public static void withSpan(String name, Runnable body) {
        io.asynctrace.Trace.withSpan(name, body);
    }

    /**
     * Same as {@link io.asynctrace.Trace#withSpan(String, Supplier)}.
     *
     * @param name the span name; keep names few
     * @param body the work
     * @param <T> the result type
     * @return what {@code body} returned
     */
    public static <T> T withSpan(String name, Supplier<T> body) {
        return io.asynctrace.Trace.withSpan(name, body);
    }

    /**
     * Same as {@link io.asynctrace.Trace#startSpan(String)}: a span current on this thread.
     *
     * @param name the span name; keep names few
     * @return the span to end
     */
    public static Span startSpan(String name) {
        return io.asynctrace.Trace.startSpan(name);
    }

    /**
     * Same as {@link io.asynctrace.Trace#log(String, String)}: records a message on the
     * thread's current task. See the class comment for where that is the task of the
     * Reactor {@code Context}.
     *
     * @param category the category; keep categories few
     * @param message free text
     */
    public static void log(String category, String message) {
        io.asynctrace.Trace.log(category, message);
    }

    /**
     * Same as {@link io.asynctrace.Trace#flush()}.
     *
     * @return true once written; false if tracing is off or the recording ended first
     */
    public static boolean flush() {
        return io.asynctrace.Trace.flush();
    }

    /**
     * Same as {@link io.asynctrace.Trace#newTask(String, Task)}.
     *
     * @param type the task type; keep types few
     * @param parent the parent task, or null for a root task
     * @return the new task, not yet current
     */
    public static Task newTask(String type, Task parent) {
        return io.asynctrace.Trace.newTask(type, parent);
    }

    /**
     * Same as {@link io.asynctrace.Trace#startDetachedSpan(String)}: a span of no task,
     * tied to no thread.
     *
     * @param name the span name; keep names few
     * @return the span to end
     */
    public static Span startDetachedSpan(String name) {
        return io.asynctrace.Trace.startDetachedSpan(name);
    }

    /**
     * Same as {@link io.asynctrace.Trace#jobQueued()}.
     *
     * @return the job id, or 0 while tracing is off
     */
    public static long jobQueued() {
        return io.asynctrace.Trace.jobQueued();
    }

    /**
     * Same as {@link io.asynctrace.Trace#jobQueued(Task)}.
     *
     * @param task the task the job works for, or null
     * @return the job id, or 0 while tracing is off
     */
    public static long jobQueued(Task task) {
        return io.asynctrace.Trace.jobQueued(task);
    }

    /**
     * Same as {@link io.asynctrace.Trace#jobStarted(long)}.
     *
     * @param job an id from {@link #jobQueued()}; 0 does nothing
     */
    public static void jobStarted(long job) {
        io.asynctrace.Trace.jobStarted(job);
    }

    /**
     * Same as {@link io.asynctrace.Trace#jobFinished(long)}.
     *
     * @param job an id from {@link #jobQueued()}; 0 does nothing
     */
    public static void jobFinished(long job) {
        io.asynctrace.Trace.jobFinished(job);
    }
}
