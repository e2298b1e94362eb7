package io.asynctrace.testing;

import java.util.List;

/**
 * What a module's tests may leave behind besides trace-core's own state, cleaned by
 * {@link NoLeftovers} after each test. A module registers its implementation (public,
 * with a no-argument constructor) in its test resources as
 * {@code META-INF/services/io.asynctrace.testing.LeftoverCleanup}; trace-reactor's
 * uninstalls {@code ReactorTracing}. trace-core does not know the other modules.
 */
public interface LeftoverCleanup {
    /**
     * Undoes whatever global state a test left on.
     *
     * @return one line for each thing found and cleaned; empty if there was nothing
     */
    List<String> cleanUp();
}
