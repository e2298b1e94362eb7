/**
 * asynctrace side by side with the tracers a user would otherwise pick for async JVM
 * code: JDK Flight Recorder custom events, the OpenTelemetry SDK and Micrometer
 * Observation (issue 10). Each case measures the same work in each tracer, with
 * tracing on and, where the peer has one, with tracing off:
 * <ol>
 * <li>one instant event: {@link io.asynctrace.benchmarks.peers.InstantEventBenchmark};</li>
 * <li>one interval: {@link io.asynctrace.benchmarks.peers.IntervalBenchmark};</li>
 * <li>a task across a thread hop: {@link io.asynctrace.benchmarks.peers.ThreadHopBenchmark};</li>
 * <li>a Reactor pipeline: {@link io.asynctrace.benchmarks.peers.ReactorPipelineBenchmark};</li>
 * <li>output size (not JMH): {@link io.asynctrace.benchmarks.peers.SizeComparison};</li>
 * <li>two threads at once: the {@code *TwoThreads} methods of cases 1 and 2.</li>
 * </ol>
 * The floor, {@code System.nanoTime()}, is the {@code nanoTime} method of cases 1 and 2;
 * cases 3 and 4 have the untraced work itself ({@code plain*}) as their floor.
 *
 * <p>Recordings are written to disk for both asynctrace and JFR (temporary files,
 * bounded in size and deleted at the end of each trial); JFR records no stack
 * traces, since asynctrace records none. Each benchmark method runs in its own
 * fork, so a JFR recording, an SDK or a Reactor hook never outlives it.
 *
 * <p>Run all of them once, with allocation per operation (36 benchmarks, about 7 minutes on 2 cores):
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'peers' -prof gc -rf json -rff peers.json
 * java -cp benchmarks/target/benchmarks.jar io.asynctrace.benchmarks.peers.SizeComparison
 * </pre>
 */
package io.asynctrace.benchmarks.peers;
