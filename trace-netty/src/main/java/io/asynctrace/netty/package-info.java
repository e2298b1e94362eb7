/**
 * asynctrace on Netty: the live trace endpoint ({@link io.asynctrace.netty.TraceEndpoint},
 * {@link io.asynctrace.netty.DebugServer}), reactor-netty requests as tasks and W3C
 * {@code traceparent} ({@link io.asynctrace.netty.TracedHttp}), and the example service
 * ({@link io.asynctrace.netty.DemoServer}). See {@code docs/NETTY.md}.
 */
package io.asynctrace.netty;
