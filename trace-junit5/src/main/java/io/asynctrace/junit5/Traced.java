package io.asynctrace.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records a trace of the annotated test class into {@code <dir>/<fully.qualified.ClassName>.trace},
 * like {@code go test -trace}: the class is a task of type {@code "class"}, each test
 * a child task of type {@code "test"} that ends {@code "passed"}, {@code "failed"} or
 * {@code "aborted"}, and the spans, logs and tasks of the code under test belong to it.
 *
 * <pre>{@code
 * @Traced                          // target/asynctrace/com.example.CheckoutIT.trace
 * class CheckoutIT {
 *     @Test
 *     void checkout() {
 *         Trace.withSpan("checkout", () -> shop.checkout(cart));
 *     }
 * }
 * }</pre>
 *
 * <p>Same as {@code @ExtendWith(TraceExtension.class)}, plus the choice of directory.
 * It is inherited by subclasses and {@code @Nested} classes (each of which gets a
 * file of its own, and is also part of its enclosing class's file). See
 * {@link TraceExtension} for the contract.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TraceExtension.class)
public @interface Traced {
    /**
     * Where the trace file goes; relative paths resolve against the working directory.
     * Empty (the default): the {@value TraceExtension#DIR_PROPERTY} configuration
     * parameter or system property if set, else {@value TraceExtension#DEFAULT_DIR}.
     *
     * @return the directory of the trace file
     */
    String dir() default "";
}
