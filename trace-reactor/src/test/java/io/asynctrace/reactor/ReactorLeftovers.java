package io.asynctrace.reactor;

import io.asynctrace.testing.LeftoverCleanup;
import java.util.List;

/** For {@link io.asynctrace.testing.NoLeftovers}: uninstalls {@link ReactorTracing} a test left installed. */
public final class ReactorLeftovers implements LeftoverCleanup {
    @Override
    public List<String> cleanUp() {
        if (!ReactorTracing.isInstalled()) {
            return List.of();
        }
        ReactorTracing.uninstall();
        return List.of("ReactorTracing installed (uninstalled)");
    }
}
