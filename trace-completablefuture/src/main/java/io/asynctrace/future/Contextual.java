package io.asynctrace.future;

import io.micrometer.context.ContextSnapshot;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The function of a dependent stage, bound to the context captured when the stage
 * was created: it runs with that context on whatever thread fires the stage (the one
 * that completed the source, which belongs to someone else, or the one that created
 * the stage if the source was already done) and restores that thread's own context
 * afterwards. Named classes rather than lambdas, so stack traces say what they are.
 */
final class Contextual {
    private Contextual() {
    }

    static <T, U> Function<T, U> function(ContextSnapshot s, Function<T, U> fn) {
        return new Fn<>(s, Objects.requireNonNull(fn));
    }

    static <T, U, V> BiFunction<T, U, V> biFunction(ContextSnapshot s, BiFunction<T, U, V> fn) {
        return new BiFn<>(s, Objects.requireNonNull(fn));
    }

    static <T> Consumer<T> consumer(ContextSnapshot s, Consumer<T> fn) {
        return new Cons<>(s, Objects.requireNonNull(fn));
    }

    static <T, U> BiConsumer<T, U> biConsumer(ContextSnapshot s, BiConsumer<T, U> fn) {
        return new BiCons<>(s, Objects.requireNonNull(fn));
    }

    static Runnable runnable(ContextSnapshot s, Runnable fn) {
        return new Run(s, Objects.requireNonNull(fn));
    }

    private static final class Fn<T, U> implements Function<T, U> {
        private final ContextSnapshot snapshot;
        private final Function<T, U> fn;

        Fn(ContextSnapshot snapshot, Function<T, U> fn) {
            this.snapshot = snapshot;
            this.fn = fn;
        }

        @Override
        public U apply(T t) {
            try (ContextSnapshot.Scope ignored = Propagation.install(snapshot)) {
                return fn.apply(t);
            }
        }
    }

    private static final class BiFn<T, U, V> implements BiFunction<T, U, V> {
        private final ContextSnapshot snapshot;
        private final BiFunction<T, U, V> fn;

        BiFn(ContextSnapshot snapshot, BiFunction<T, U, V> fn) {
            this.snapshot = snapshot;
            this.fn = fn;
        }

        @Override
        public V apply(T t, U u) {
            try (ContextSnapshot.Scope ignored = Propagation.install(snapshot)) {
                return fn.apply(t, u);
            }
        }
    }

    private static final class Cons<T> implements Consumer<T> {
        private final ContextSnapshot snapshot;
        private final Consumer<T> fn;

        Cons(ContextSnapshot snapshot, Consumer<T> fn) {
            this.snapshot = snapshot;
            this.fn = fn;
        }

        @Override
        public void accept(T t) {
            try (ContextSnapshot.Scope ignored = Propagation.install(snapshot)) {
                fn.accept(t);
            }
        }
    }

    private static final class BiCons<T, U> implements BiConsumer<T, U> {
        private final ContextSnapshot snapshot;
        private final BiConsumer<T, U> fn;

        BiCons(ContextSnapshot snapshot, BiConsumer<T, U> fn) {
            this.snapshot = snapshot;
            this.fn = fn;
        }

        @Override
        public void accept(T t, U u) {
            try (ContextSnapshot.Scope ignored = Propagation.install(snapshot)) {
                fn.accept(t, u);
            }
        }
    }

    private static final class Run implements Runnable {
        private final ContextSnapshot snapshot;
        private final Runnable fn;

        Run(ContextSnapshot snapshot, Runnable fn) {
            this.snapshot = snapshot;
            this.fn = fn;
        }

        @Override
        public void run() {
            try (ContextSnapshot.Scope ignored = Propagation.install(snapshot)) {
                fn.run();
            }
        }
    }

    /** {@code runAsync} in terms of {@code completeAsync}. */
    static Supplier<Void> asSupplier(Runnable runnable) {
        return new RunnableSupplier(runnable);
    }

    /** A callback completing {@code target} as the stage it is attached to completes. */
    static <U> BiConsumer<U, Throwable> relayTo(CompletableFuture<U> target) {
        return new Relay<>(target);
    }

    private static final class Relay<U> implements BiConsumer<U, Throwable> {
        private final CompletableFuture<U> target;

        Relay(CompletableFuture<U> target) {
            this.target = target;
        }

        @Override
        public void accept(U value, Throwable error) {
            if (error != null) {
                target.completeExceptionally(error);
            } else {
                target.complete(value);
            }
        }
    }

    private static final class RunnableSupplier implements Supplier<Void> {
        private final Runnable runnable;

        RunnableSupplier(Runnable runnable) {
            this.runnable = runnable;
        }

        @Override
        public Void get() {
            runnable.run();
            return null;
        }
    }
}
