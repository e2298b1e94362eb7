package io.asynctrace.tool;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP server behind {@code asynctrace view}: one page and a JSON API over a trace
 * file, on the loopback interface only.
 *
 * <ul>
 *   <li>{@code GET /} the page (a zoomable timeline of the whole trace, task types with
 *       SVG latency histograms, instances, one task's breakdown and event log);</li>
 *   <li>{@code GET /api/summary?where=W&group_by=KEY} the {@code summary --json} object,
 *       with histograms (503 while the first pass runs);</li>
 *   <li>{@code GET /api/timeline?where=W&group_by=KEY} lanes (task lanes split by KEY's
 *       values), time range and indexing progress;</li>
 *   <li>{@code GET /api/window?from=NS&to=NS&bins=N&where=W&group_by=KEY} one timeline
 *       window ({@link TimelineWindow});</li>
 *   <li>{@code GET /api/tasks?type=T&min=NS&max=NS&limit=N&where=W} the completed tasks of
 *       type T with {@code min <= duration < max}, slowest first, as {@code tasks --json};</li>
 *   <li>{@code GET /api/task?id=ID[&from=NS&to=NS]} one task as a {@code tasks --json}
 *       element (with its lifetime, read from the segments holding it only).</li>
 * </ul>
 * {@code where} is repeatable, one {@code --where} term each (or several separated by
 * spaces); so is {@code term}, one term each taken whole (a value with spaces). The file is indexed on a background thread ({@link ViewData}) while the page
 * serves the part indexed so far. Requests are read and answered on {@value #HTTP_THREADS}
 * threads of their own, so a client that stalls mid-request holds one of them only (and only
 * for {@value #MAX_REQUEST_SECONDS} s, the JDK server's {@code sun.net.httpserver.maxReqTime},
 * unless already set), and a client that does not take its answer in holds one for
 * {@value #MAX_WRITE_SECONDS} s at most (its connection is then closed, the answer cut). No
 * request waits for a whole-file pass of another filter or grouping: those run one at a time
 * on a thread of their own ({@link Passes}), and {@code /api/summary} answers 503 with where its pass stands until it is done. Timelines, windows and tasks read
 * by their lifetime run at most two at a time; the queries that read the whole file
 * ({@code /api/tasks}, {@code /api/task} without {@code from}/{@code to}) one at a time on a
 * thread of their own ({@link WholeFileQueries}: stopped once nobody asks for them), a second
 * one getting a 503 at once; so memory stays bounded as for the CLI. The page, its
 * scripts, the options and the summaries wait for nothing; they wait for a thread only when
 * all eight are taken (two windows running, six waiting).
 * Requests whose {@code Host} is not a loopback name are refused (DNS rebinding).
 *
 * <p>The server is the JDK's own ({@code com.sun.net.httpserver}, module {@code jdk.httpserver}):
 * it starts in a fraction of the time Netty's HTTP stack takes to load, which is most of
 * what opening a big trace costs (see BENCHMARKS.md, issue 17).
 */
final class ViewServer implements AutoCloseable {
    /** Instances returned per bucket by default. */
    static final int DEFAULT_LIMIT = 100;
    /** Threads that read requests and write answers. */
    static final int HTTP_THREADS = 8;
    /** How long a client may take to send a whole request before it is dropped. */
    static final int MAX_REQUEST_SECONDS = 10;
    /** How long a client may take to take in an answer before its connection is closed. */
    static final int MAX_WRITE_SECONDS = 10;

    static {
        // Read once, when the JDK server's classes load: set it before the first server is made.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        }
    }

    private final ViewData data;
    private final ViewOptions options;
    private final byte[] page;
    private final java.util.Map<String, byte[]> scripts = new java.util.HashMap<>();
    private final HttpServer server;
    /** Reads requests and writes answers, so that no stalled client holds a query thread. */
    private final ExecutorService http;
    /** Two queries at a time (windows, timelines, tasks by their lifetime): memory stays bounded. */
    private final java.util.concurrent.Semaphore queries = new java.util.concurrent.Semaphore(2);
    /** One query that reads the whole file at a time (instances, a task by id alone), stopped when nobody asks for it. */
    final WholeFileQueries wholeFile = new WholeFileQueries();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final int port;
    /** Writes the answers, each within {@value #MAX_WRITE_SECONDS} s. */
    final AnswerWrites writes = new AnswerWrites(java.util.concurrent.TimeUnit.SECONDS.toNanos(MAX_WRITE_SECONDS));

    /**
     * What the page starts with: the {@code view} command's {@code --where},
     * {@code --group-by}, {@code --from} and {@code --to}.
     */
    record ViewOptions(List<String> where, String groupBy, String from, String to) {
        static final ViewOptions NONE = new ViewOptions(List.of(), null, null, null);
    }

    private ViewServer(Path file, int port, PrintWriter progress, ViewOptions options) {
        TaskFilter initial = TaskFilter.parse(options.where(), options.from(), options.to());
        this.options = options;
        this.data = new ViewData(file, progress);
        this.page = resource("view.html");
        for (String js : List.of("common.js", "timeline.js", "view.js")) {
            scripts.put("/" + js, resource(js));
        }
        java.util.concurrent.atomic.AtomicInteger h = new java.util.concurrent.atomic.AtomicInteger();
        this.http = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
            Thread t = new Thread(r, "asynctrace-view-http-" + h.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        if (initial.hasWindow()) {
            // Only the window's tasks in the histograms as well: their pass is queued now.
            data.summaryPending(initial, options.groupBy());
        }
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException | RuntimeException e) {
            http.shutdownNow();
            writes.close();
            wholeFile.close();
            data.close();
            throw new ToolException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), 1);
        }
        server.createContext("/", this::handle);
        server.setExecutor(http);
        server.start();
        this.port = server.getAddress().getPort();
    }

    /**
     * Reads the trace's summary and starts serving.
     *
     * @param file the trace
     * @param port the port, 0 for any free one
     * @param progress where a progress bar goes, or null
     * @return the running server
     * @throws ToolException if the file is not a readable trace or the port is taken
     */
    static ViewServer start(Path file, int port, PrintWriter progress) {
        return start(file, port, progress, ViewOptions.NONE);
    }

    /**
     * As {@link #start(Path, int, PrintWriter)}, with the page's initial filter, grouping and window.
     *
     * @throws ToolException also for a malformed option
     */
    static ViewServer start(Path file, int port, PrintWriter progress, ViewOptions options) {
        return new ViewServer(file, port, progress, options);
    }

    /** @return the port the server listens on */
    int port() {
        return port;
    }

    /** @return what the server answers from (tests) */
    ViewData data() {
        return data;
    }

    /** @return the page's address */
    String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** Blocks until the server is closed. */
    void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        server.stop(0);
        http.shutdownNow();
        writes.close();
        wholeFile.close();
        data.close();
        closed.countDown();
    }

    private static byte[] resource(String name) {
        try (InputStream in = ViewServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final int OK = 200;
    static final int BAD_REQUEST = 400;
    static final int FORBIDDEN = 403;
    static final int NOT_FOUND = 404;
    static final int METHOD_NOT_ALLOWED = 405;
    static final int INTERNAL_SERVER_ERROR = 500;
    static final int SERVICE_UNAVAILABLE = 503;

    /** An HTTP answer: status code, content type, body; {@code askAgainNow}: a 503 with {@code Retry-After: 0}. */
    record Answer(int status, String type, byte[] body, boolean askAgainNow) {
        Answer(int status, String type, byte[] body) {
            this(status, type, body, false);
        }

        static Answer json(String s) {
            return new Answer(OK, "application/json; charset=utf-8", s.getBytes(StandardCharsets.UTF_8));
        }

        static Answer error(int status, String message) {
            return new Answer(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    Answer answer(String method, String uri, String host) {
        return answer(method, uri, host, java.util.function.UnaryOperator.identity());
    }

    /** As above, a whole-file query reading through the handler {@code around} makes ({@link WholeFileQueries}). */
    private Answer answer(String method, String uri, String host,
            java.util.function.UnaryOperator<io.asynctrace.reader.TraceHandler> around) {
        if (host == null || !isLoopbackHost(host)) {
            return Answer.error(FORBIDDEN, "asynctrace view answers only loopback host names");
        }
        if (!"GET".equals(method)) {
            return Answer.error(METHOD_NOT_ALLOWED, "only GET");
        }
        Query q = Query.of(uri);
        try {
            switch (q.path()) {
                case "/":
                case "/index.html":
                    return new Answer(OK, "text/html; charset=utf-8", page);
                case "/common.js":
                case "/timeline.js":
                case "/view.js":
                    return new Answer(OK, "text/javascript; charset=utf-8", scripts.get(q.path()));
                case "/api/summary": {
                    TaskFilter f = filter(q);
                    String s = data.summary(f, groupBy(q));
                    if (s == null) {
                        return f.isNone() && groupBy(q) == null && data.failure() != null
                                ? Answer.error(INTERNAL_SERVER_ERROR, data.failure())
                                : Answer.error(SERVICE_UNAVAILABLE, data.summaryPending(f, groupBy(q)));
                    }
                    return Answer.json(s);
                }
                case "/api/options":
                    return Answer.json(optionsJson());
                case "/api/timeline":
                    return Answer.json(data.timeline(filter(q), groupBy(q)));
                case "/api/window": {
                    long from = Long.parseLong(param(q, "from", "0"));
                    long to = Long.parseLong(param(q, "to", "0"));
                    int bins = Integer.parseInt(param(q, "bins", "1000"));
                    if (from < 0 || to <= from) {
                        return Answer.error(BAD_REQUEST, "a window needs 0 <= from < to, was from=" + from + " to=" + to);
                    }
                    return Answer.json(data.window(filter(q), groupBy(q), from, to, bins));
                }
                case "/api/tasks": {
                    String type = param(q, "type", null);
                    long min = Long.parseLong(param(q, "min", "0"));
                    long max = Long.parseLong(param(q, "max", "-1"));
                    int limit = Integer.parseInt(param(q, "limit", Integer.toString(DEFAULT_LIMIT)));
                    return Answer.json(tasksJson(Tasks.find(data.file, type, min, max, Math.max(1, limit), false, filter(q),
                            null, around).tasks(), false));
                }
                case "/api/task": {
                    TaskReport found = data.task(Long.parseLong(param(q, "id", "0")), Long.parseLong(param(q, "from", "-1")),
                            Long.parseLong(param(q, "to", "-1")), around);
                    if (found == null) {
                        return Answer.error(NOT_FOUND, "no such task");
                    }
                    return Answer.json(tasksJson(List.of(found), true));
                }
                default:
                    return Answer.error(NOT_FOUND, "not found: " + q.path());
            }
        } catch (NumberFormatException e) {
            return Answer.error(BAD_REQUEST, "bad number: " + e.getMessage());
        } catch (ToolException e) {
            return Answer.error(e.exitCode() == ToolException.BAD_INPUT && e.getMessage().startsWith("--")
                    ? BAD_REQUEST : INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }

    private static TaskFilter filter(Query q) {
        return filter(q.parameters().get("where"), q.parameters().get("term"), param(q, "from_filter", null),
                param(q, "to_filter", null));
    }

    /**
     * @param where terms, several in one separated by spaces
     * @param whole terms taken whole (a value with spaces), or null
     * @return the filter of a request's {@code where} and {@code term} parameters and {@code from}/{@code to}
     */
    static TaskFilter filter(List<String> where, List<String> whole, String from, String to) {
        List<String> terms = new ArrayList<>();
        for (String w : where == null ? List.<String>of() : where) {
            for (String t : w.trim().split("\\s+")) {
                if (!t.isEmpty()) {
                    terms.add(t);
                }
            }
        }
        terms.addAll(whole == null ? List.of() : whole);
        return TaskFilter.parse(terms, from, to);
    }

    private static String groupBy(Query q) {
        return param(q, "group_by", null);
    }

    private String optionsJson() {
        StringWriter s = new StringWriter();
        JsonWriter j = new JsonWriter(s);
        j.beginObject().name("where").beginArray();
        for (String w : options.where()) {
            j.value(w);
        }
        j.endArray().field("group_by", options.groupBy());
        TaskFilter f = TaskFilter.parse(List.of(), options.from(), options.to());
        j.name("from").valueOrNull(f.from() == Long.MIN_VALUE ? -1 : f.from());
        j.name("to").valueOrNull(f.to() == Long.MAX_VALUE ? -1 : f.to());
        j.endObject();
        return s.toString();
    }

    private static String tasksJson(List<TaskReport> tasks, boolean single) {
        StringWriter s = new StringWriter();
        JsonWriter j = new JsonWriter(s);
        if (single) {
            tasks.get(0).json(j);
        } else {
            j.beginArray();
            for (TaskReport t : tasks) {
                t.json(j);
            }
            j.endArray();
        }
        return s.toString();
    }

    private static String param(Query q, String name, String fallback) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? fallback : v.get(0);
    }

    static boolean isLoopbackHost(String host) {
        String h = host;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            h = close < 0 ? h : h.substring(1, close);
        } else if (h.indexOf(':') >= 0) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("127.0.0.1") || h.equals("localhost") || h.equals("::1");
    }

    /** @return whether the request reads the whole file: it is then a {@link WholeFileQueries} query */
    private static boolean readsWholeFile(Query q) {
        return q.path().equals("/api/tasks")
                || q.path().equals("/api/task") && !(q.parameters().containsKey("from") && q.parameters().containsKey("to"));
    }

    /**
     * @return what a request waits for: {@link #queries} for one that reads part of the file or
     *     takes an index's lock, none for the page, its scripts, the options and the summaries
     *     (ready, or queued: never computed here) and the whole-file queries (their own thread)
     */
    private java.util.concurrent.Semaphore permits(Query q) {
        if (readsWholeFile(q)) {
            return null;
        }
        switch (q.path()) {
            case "/api/task":
            case "/api/timeline":
            case "/api/window":
                return queries;
            default:
                return null;
        }
    }

    /**
     * One exchange, on an HTTP thread: answered whatever happens (an {@link Error} too, as a 500).
     *
     * @throws IOException if the client went away or did not take the answer in: the JDK server
     *     then closes the connection and lets go of it
     */
    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        boolean head = "HEAD".equals(method);
        String uri = exchange.getRequestURI().toString();
        String host = exchange.getRequestHeaders().getFirst("Host");
        // Refused before anything waits (answer() says why).
        boolean loopback = host != null && isLoopbackHost(host);
        java.util.concurrent.Semaphore permits = loopback ? permits(Query.of(uri)) : null;
        String asked = head ? "GET" : method;
        Answer a;
        boolean permitted = false;
        try {
            if (loopback && asked.equals("GET") && readsWholeFile(Query.of(uri))) {
                a = wholeFile(uri, host);
            } else {
                if (permits != null) {
                    permits.acquire();
                    permitted = true;
                }
                a = answer(asked, uri, host);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the view is closing
            a = Answer.error(SERVICE_UNAVAILABLE, "the view is closing");
        } catch (Throwable e) { // an Error too (out of memory): the request gets an answer, not a hang
            a = Answer.error(INTERNAL_SERVER_ERROR, "internal error: " + ViewData.oneLine(e));
        } finally {
            if (permitted) {
                permits.release();
            }
        }
        writes.send(exchange, a, head);
    }

    /** A whole-file query: its answer, or a 503 saying it still runs (ask again now) or another one does. */
    private Answer wholeFile(String uri, String host) throws InterruptedException {
        WholeFileQueries.Result r = wholeFile.ask(uri, around -> answer("GET", uri, host, around));
        switch (r.outcome()) {
            case DONE:
                return r.answer();
            case RUNNING:
                return new Answer(SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", ("reading " + data.file
                        + " for this query; ask again now (it stops when nobody has asked for it in "
                        + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(wholeFile.keepNanos) + " s)\n")
                        .getBytes(StandardCharsets.UTF_8), true);
            default:
                return Answer.error(SERVICE_UNAVAILABLE, "busy: another query that reads the whole"
                        + " file (instances, or a task by id alone) is running; ask again when it is done");
        }
    }

    /** A request's path and query parameters, decoded ({@code +} as a space), each name's values in order. */
    record Query(String path, Map<String, List<String>> parameters) {
        static Query of(String uri) {
            int q = uri.indexOf('?');
            String path = decode(q < 0 ? uri : uri.substring(0, q));
            Map<String, List<String>> params = new LinkedHashMap<>();
            if (q >= 0) {
                for (String pair : uri.substring(q + 1).split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                    String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                    params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                }
            }
            return new Query(path, params);
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return s; // a malformed escape: taken as written
            }
        }
    }
}
