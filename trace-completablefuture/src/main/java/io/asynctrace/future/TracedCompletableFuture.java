package io.asynctrace.future;

import io.micrometer.context.ContextSnapshot;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link CompletableFuture} whose dependent stages run with the context that was
 * current when each stage was created: asynctrace's current task, and every other
 * thread-local registered with Micrometer Context Propagation.
 *
 * <p><b>Contract.</b> The function of every dependent stage ({@code thenApply},
 * {@code thenCompose}, {@code thenCombine}, {@code handle}, {@code whenComplete},
 * {@code exceptionally}, ... and their {@code *Async} variants) runs with the context
 * captured when the stage method was called, whichever thread fires it: a worker of
 * the stage's executor, the thread that created the stage if the source was done, or
 * the thread that completed the source &mdash; which belongs to someone else, and gets
 * its own task (and span) back as soon as the function returns, also when it throws.
 * Every stage returned is a {@code TracedCompletableFuture}, so the whole chain is
 * traced. An async stage records a job (queued when its sources complete, started,
 * finished) for its task, on any executor; without an executor it runs on
 * {@link TracedExecutors#defaultAsyncExecutor()}, {@code CompletableFuture}'s own
 * default pool. Context travels while tracing is off too; then no events are
 * recorded. Each stage costs one snapshot capture; keep chains for I/O-sized work.
 *
 * <pre>{@code
 * try (Task order = Trace.newTask("cappuccino"); Scope s = order.makeCurrent()) {
 *     CompletableFuture<Milk> milk = TracedCompletableFuture.supplyAsync(() -> froth(), pool);
 *     CompletableFuture<Coffee> coffee = TracedCompletableFuture.supplyAsync(() -> extract(), pool);
 *     milk.thenCombine(coffee, (m, c) -> Trace.withSpan("mixMilkCoffee", () -> mix(m, c)))
 *         .whenComplete((cup, error) -> order.end(error == null ? "ok" : "failed"));
 * }
 * }</pre>
 *
 * <p>Futures from elsewhere join a traced chain through {@link #wrap(CompletionStage)};
 * the static factories of {@code CompletableFuture} are redeclared here to return traced
 * futures. {@link #minimalCompletionStage()} returns a traced {@link #copy()}: completing
 * it does not complete this future.
 *
 * @param <T> the result type
 */
public final class TracedCompletableFuture<T> extends CompletableFuture<T> {
    /** The default async executor: CompletableFuture's own, wrapped. */
    static final Executor DEFAULT_EXECUTOR = TracedExecutors.wrap(Propagation.JDK_ASYNC_POOL);

    /** Creates an incomplete future, like {@link CompletableFuture#CompletableFuture()}. */
    public TracedCompletableFuture() {
    }

    // ---------------------------------------------------------------- factories

    /**
     * Runs {@code supplier} on the default async executor with the calling thread's context.
     *
     * @param supplier the work
     * @param <U> the result type
     * @return a traced future of the supplier's result
     */
    public static <U> TracedCompletableFuture<U> supplyAsync(Supplier<U> supplier) {
        return supplyAsync(supplier, DEFAULT_EXECUTOR);
    }

    /**
     * Runs {@code supplier} on {@code executor} with the calling thread's context, recording a job.
     *
     * @param supplier the work
     * @param executor where to run it (wrapped or not)
     * @param <U> the result type
     * @return a traced future of the supplier's result
     */
    public static <U> TracedCompletableFuture<U> supplyAsync(Supplier<U> supplier, Executor executor) {
        TracedCompletableFuture<U> f = new TracedCompletableFuture<>();
        f.completeAsync(supplier, executor);
        return f;
    }

    /**
     * Runs {@code runnable} on the default async executor with the calling thread's context.
     *
     * @param runnable the work
     * @return a traced future completed when it has run
     */
    public static TracedCompletableFuture<Void> runAsync(Runnable runnable) {
        return runAsync(runnable, DEFAULT_EXECUTOR);
    }

    /**
     * Runs {@code runnable} on {@code executor} with the calling thread's context, recording a job.
     *
     * @param runnable the work
     * @param executor where to run it (wrapped or not)
     * @return a traced future completed when it has run
     */
    public static TracedCompletableFuture<Void> runAsync(Runnable runnable, Executor executor) {
        Objects.requireNonNull(runnable, "runnable");
        TracedCompletableFuture<Void> f = new TracedCompletableFuture<>();
        f.completeAsync(Contextual.asSupplier(runnable), executor);
        return f;
    }

    /**
     * Adapts a future from elsewhere: the result completes when {@code stage} does, with
     * its value or exception, and its dependents are traced. Cancelling the result does
     * not cancel {@code stage}.
     *
     * @param stage any completion stage
     * @param <U> the result type
     * @return {@code stage} itself if it is a {@code TracedCompletableFuture}, else a traced future mirroring it
     */
    public static <U> TracedCompletableFuture<U> wrap(CompletionStage<U> stage) {
        if (stage instanceof TracedCompletableFuture) {
            return (TracedCompletableFuture<U>) stage;
        }
        TracedCompletableFuture<U> f = new TracedCompletableFuture<>();
        stage.whenComplete(Contextual.relayTo(f));
        return f;
    }

    /**
     * @param futures the futures to wait for
     * @return a traced future completed when all are, exceptionally if any is
     * @see CompletableFuture#allOf
     */
    public static TracedCompletableFuture<Void> allOf(CompletableFuture<?>... futures) {
        return wrap(CompletableFuture.allOf(futures));
    }

    /**
     * @param futures the futures to wait for
     * @return a traced future completed as the first of them is
     * @see CompletableFuture#anyOf
     */
    public static TracedCompletableFuture<Object> anyOf(CompletableFuture<?>... futures) {
        return wrap(CompletableFuture.anyOf(futures));
    }

    /**
     * @param value the value
     * @param <U> the result type
     * @return a traced future already completed with {@code value}
     */
    public static <U> TracedCompletableFuture<U> completedFuture(U value) {
        TracedCompletableFuture<U> f = new TracedCompletableFuture<>();
        f.complete(value);
        return f;
    }

    /**
     * @param value the value
     * @param <U> the result type
     * @return a traced stage already completed with {@code value}
     */
    public static <U> CompletionStage<U> completedStage(U value) {
        return completedFuture(value);
    }

    /**
     * @param ex the exception
     * @param <U> the result type
     * @return a traced future already completed with {@code ex}
     */
    public static <U> TracedCompletableFuture<U> failedFuture(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        TracedCompletableFuture<U> f = new TracedCompletableFuture<>();
        f.completeExceptionally(ex);
        return f;
    }

    /**
     * @param ex the exception
     * @param <U> the result type
     * @return a traced stage already completed with {@code ex}
     */
    public static <U> CompletionStage<U> failedStage(Throwable ex) {
        return failedFuture(ex);
    }

    // ---------------------------------------------------------------- plumbing

    @Override
    public <U> TracedCompletableFuture<U> newIncompleteFuture() {
        return new TracedCompletableFuture<>();
    }

    /** @return {@link TracedExecutors#defaultAsyncExecutor()} */
    @Override
    public Executor defaultExecutor() {
        return DEFAULT_EXECUTOR;
    }

    @Override
    public TracedCompletableFuture<T> copy() {
        return traced(super.copy());
    }

    @Override
    public CompletionStage<T> minimalCompletionStage() {
        return copy();
    }

    @Override
    public TracedCompletableFuture<T> toCompletableFuture() {
        return this;
    }

    @Override
    public TracedCompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        return traced(super.completeAsync(supplier, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        return completeAsync(supplier, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<T> orTimeout(long timeout, java.util.concurrent.TimeUnit unit) {
        return traced(super.orTimeout(timeout, unit));
    }

    @Override
    public TracedCompletableFuture<T> completeOnTimeout(T value, long timeout, java.util.concurrent.TimeUnit unit) {
        return traced(super.completeOnTimeout(value, timeout, unit));
    }

    private static <U> TracedCompletableFuture<U> traced(CompletableFuture<U> f) {
        return (TracedCompletableFuture<U>) f;
    }

    private static Executor stageExecutor(Executor executor) {
        return StageExecutor.of(executor);
    }

    private static ContextSnapshot here() {
        return Propagation.capture();
    }

    // ---------------------------------------------------------------- stages
    // Each stage captures the context once, when it is created. Synchronous stages bind
    // their function to it; async ones run on a StageExecutor that installs it.

    @Override
    public <U> TracedCompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return traced(super.thenApply(Contextual.function(here(), fn)));
    }

    @Override
    public <U> TracedCompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        return thenApplyAsync(fn, DEFAULT_EXECUTOR);
    }

    @Override
    public <U> TracedCompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        return traced(super.thenApplyAsync(fn, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return traced(super.thenAccept(Contextual.consumer(here(), action)));
    }

    @Override
    public TracedCompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action) {
        return thenAcceptAsync(action, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        return traced(super.thenAcceptAsync(action, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<Void> thenRun(Runnable action) {
        return traced(super.thenRun(Contextual.runnable(here(), action)));
    }

    @Override
    public TracedCompletableFuture<Void> thenRunAsync(Runnable action) {
        return thenRunAsync(action, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        return traced(super.thenRunAsync(action, stageExecutor(executor)));
    }

    @Override
    public <U, V> TracedCompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return traced(super.thenCombine(other, Contextual.biFunction(here(), fn)));
    }

    @Override
    public <U, V> TracedCompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return thenCombineAsync(other, fn, DEFAULT_EXECUTOR);
    }

    @Override
    public <U, V> TracedCompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        return traced(super.thenCombineAsync(other, fn, stageExecutor(executor)));
    }

    @Override
    public <U> TracedCompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return traced(super.thenAcceptBoth(other, Contextual.biConsumer(here(), action)));
    }

    @Override
    public <U> TracedCompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return thenAcceptBothAsync(other, action, DEFAULT_EXECUTOR);
    }

    @Override
    public <U> TracedCompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action, Executor executor) {
        return traced(super.thenAcceptBothAsync(other, action, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return traced(super.runAfterBoth(other, Contextual.runnable(here(), action)));
    }

    @Override
    public TracedCompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        return runAfterBothAsync(other, action, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action,
            Executor executor) {
        return traced(super.runAfterBothAsync(other, action, stageExecutor(executor)));
    }

    @Override
    public <U> TracedCompletableFuture<U> applyToEither(CompletionStage<? extends T> other,
            Function<? super T, U> fn) {
        return traced(super.applyToEither(other, Contextual.function(here(), fn)));
    }

    @Override
    public <U> TracedCompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other,
            Function<? super T, U> fn) {
        return applyToEitherAsync(other, fn, DEFAULT_EXECUTOR);
    }

    @Override
    public <U> TracedCompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other,
            Function<? super T, U> fn, Executor executor) {
        return traced(super.applyToEitherAsync(other, fn, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<Void> acceptEither(CompletionStage<? extends T> other,
            Consumer<? super T> action) {
        return traced(super.acceptEither(other, Contextual.consumer(here(), action)));
    }

    @Override
    public TracedCompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other,
            Consumer<? super T> action) {
        return acceptEitherAsync(other, action, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other,
            Consumer<? super T> action, Executor executor) {
        return traced(super.acceptEitherAsync(other, action, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return traced(super.runAfterEither(other, Contextual.runnable(here(), action)));
    }

    @Override
    public TracedCompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return runAfterEitherAsync(other, action, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action,
            Executor executor) {
        return traced(super.runAfterEitherAsync(other, action, stageExecutor(executor)));
    }

    @Override
    public <U> TracedCompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return traced(super.thenCompose(Contextual.function(here(), fn)));
    }

    @Override
    public <U> TracedCompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn, DEFAULT_EXECUTOR);
    }

    @Override
    public <U> TracedCompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn,
            Executor executor) {
        return traced(super.thenComposeAsync(fn, stageExecutor(executor)));
    }

    @Override
    public <U> TracedCompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return traced(super.handle(Contextual.biFunction(here(), fn)));
    }

    @Override
    public <U> TracedCompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        return handleAsync(fn, DEFAULT_EXECUTOR);
    }

    @Override
    public <U> TracedCompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn,
            Executor executor) {
        return traced(super.handleAsync(fn, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return traced(super.whenComplete(Contextual.biConsumer(here(), action)));
    }

    @Override
    public TracedCompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        return whenCompleteAsync(action, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action,
            Executor executor) {
        return traced(super.whenCompleteAsync(action, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return traced(super.exceptionally(Contextual.function(here(), fn)));
    }

    @Override
    public TracedCompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn) {
        return exceptionallyAsync(fn, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        return traced(super.exceptionallyAsync(fn, stageExecutor(executor)));
    }

    @Override
    public TracedCompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return traced(super.exceptionallyCompose(Contextual.function(here(), fn)));
    }

    @Override
    public TracedCompletableFuture<T> exceptionallyComposeAsync(
            Function<Throwable, ? extends CompletionStage<T>> fn) {
        return exceptionallyComposeAsync(fn, DEFAULT_EXECUTOR);
    }

    @Override
    public TracedCompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn,
            Executor executor) {
        return traced(super.exceptionallyComposeAsync(fn, stageExecutor(executor)));
    }
}
