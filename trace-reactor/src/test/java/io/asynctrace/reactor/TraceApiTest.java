package io.asynctrace.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynctrace.testing.NoLeftovers;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * trace-reactor's {@code Trace} offers the whole of core's {@code Trace}: every public
 * static method there has a twin here with the same name, parameters and return type.
 * A method added to core without its twin fails this test.
 */
@ExtendWith(NoLeftovers.class)
class TraceApiTest {

    static Set<String> publicStatics(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .map(TraceApiTest::signature)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static String signature(Method m) {
        return m.getGenericReturnType().getTypeName() + " " + m.getName() + Arrays.stream(m.getGenericParameterTypes())
                .map(t -> t.getTypeName()).collect(Collectors.joining(", ", "(", ")"));
    }

    @Test
    void everyCoreMethodHasItsTwin() {
        Set<String> core = publicStatics(io.asynctrace.Trace.class);
        Set<String> reactor = publicStatics(Trace.class);
        assertThat(core).isNotEmpty();
        Set<String> missing = new TreeSet<>(core);
        missing.removeAll(reactor);
        assertThat(missing).as("core Trace methods missing from io.asynctrace.reactor.Trace").isEmpty();
    }

    @Test
    void theRestIsReactorSpecific() {
        Set<String> core = publicStatics(io.asynctrace.Trace.class);
        Set<String> extra = Arrays.stream(Trace.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .filter(m -> !core.contains(signature(m)))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(extra).containsOnly("task", "span", "log", "currentTask");
    }
}
