package io.asynctrace.tool;

import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Just enough of the W3C WebDriver protocol, spoken to Debian's chromedriver with the
 * JDK's HTTP client, to load a page in headless chromium, find elements, click them
 * and run a script.
 */
final class WebDriver implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String ELEMENT = "element-6066-11e4-a23f-4f8c8f4e7d3f";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process driver;
    private final String base;
    private String session;

    WebDriver(Path userDataDir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = "http://127.0.0.1:" + port;
        try {
            waitUntil(Duration.ofSeconds(20), () -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
            String[] args = {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + userDataDir};
            Map<String, Object> r = call("POST", "/session", j -> {
                j.beginObject().name("capabilities").beginObject().name("alwaysMatch").beginObject();
                j.field("browserName", "chrome").name("goog:chromeOptions").beginObject();
                j.field("binary", CHROMIUM.toString()).name("args").beginArray();
                for (String a : args) {
                    j.value(a);
                }
                j.endArray().endObject().endObject().endObject().endObject();
            });
            session = (String) ((Map<?, ?>) r.get("value")).get("sessionId");
        } catch (Exception e) {
            driver.destroy();
            throw e;
        }
    }

    interface Condition {
        boolean met() throws Exception;
    }

    static void waitUntil(Duration timeout, Condition c) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!c.met()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    void open(String url) throws Exception {
        call("POST", "/session/" + session + "/url", j -> j.beginObject().field("url", url).endObject());
    }

    /** @return the ids of the elements matching {@code css}, waiting up to 20 s for at least one */
    List<String> await(String css) throws Exception {
        List<String> found = new ArrayList<>();
        waitUntil(Duration.ofSeconds(20), () -> {
            found.clear();
            found.addAll(find(css));
            return !found.isEmpty();
        });
        return found;
    }

    List<String> find(String css) throws Exception {
        Map<String, Object> r = call("POST", "/session/" + session + "/elements",
                j -> j.beginObject().field("using", "css selector").field("value", css).endObject());
        List<String> ids = new ArrayList<>();
        for (Object o : (List<?>) r.get("value")) {
            Map<?, ?> ref = (Map<?, ?>) o;
            // W3C's key, or the legacy one; a reference has exactly one entry.
            ids.add((String) (ref.containsKey(ELEMENT) ? ref.get(ELEMENT) : ref.values().iterator().next()));
        }
        return ids;
    }

    void click(String element) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/click", j -> j.beginObject().endObject());
    }

    /** @return the element's {@code {x, y, width, height}} in CSS pixels */
    double[] rect(String element) throws Exception {
        Map<?, ?> r = (Map<?, ?>) call("GET", "/session/" + session + "/element/" + element + "/rect", null).get("value");
        return new double[] {num(r.get("x")), num(r.get("y")), num(r.get("width")), num(r.get("height"))};
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    /** Presses and releases {@code key} (one character) with a W3C key action: real keydown and keyup events. */
    void press(String key) throws Exception {
        call("POST", "/session/" + session + "/actions", j -> {
            j.beginObject().name("actions").beginArray().beginObject().field("type", "key").field("id", "keyboard");
            j.name("actions").beginArray();
            j.beginObject().field("type", "keyDown").field("value", key).endObject();
            j.beginObject().field("type", "keyUp").field("value", key).endObject();
            j.endArray().endObject().endArray().endObject();
        });
    }

    /**
     * Moves the mouse to {@code (x, y)} in the element (CSS pixels from its top-left corner),
     * presses, moves by {@code dx} and releases: a click when {@code dx} is 0, else a drag.
     */
    void pointer(String element, int x, int y, int dx) throws Exception {
        double[] r = rect(element);
        int vx = (int) Math.round(r[0] + x);
        int vy = (int) Math.round(r[1] + y);
        call("POST", "/session/" + session + "/actions", j -> {
            j.beginObject().name("actions").beginArray().beginObject().field("type", "pointer").field("id", "mouse");
            j.name("parameters").beginObject().field("pointerType", "mouse").endObject();
            j.name("actions").beginArray();
            j.beginObject().field("type", "pointerMove").field("duration", 0).field("origin", "viewport")
                    .field("x", vx).field("y", vy).endObject();
            j.beginObject().field("type", "pointerDown").field("button", 0).endObject();
            if (dx != 0) {
                j.beginObject().field("type", "pointerMove").field("duration", 100).field("origin", "pointer")
                        .field("x", dx).field("y", 0).endObject();
            }
            j.beginObject().field("type", "pointerUp").field("button", 0).endObject();
            j.endArray().endObject().endArray().endObject();
        });
    }

    /** Turns the mouse wheel by {@code deltaY} over {@code (x, y)} of the element (a W3C wheel action). */
    void wheel(String element, int x, int y, int deltaY) throws Exception {
        double[] r = rect(element);
        int vx = (int) Math.round(r[0] + x);
        int vy = (int) Math.round(r[1] + y);
        call("POST", "/session/" + session + "/actions", j -> {
            j.beginObject().name("actions").beginArray().beginObject().field("type", "wheel").field("id", "wheel");
            j.name("actions").beginArray();
            j.beginObject().field("type", "scroll").field("duration", 0).field("origin", "viewport")
                    .field("x", vx).field("y", vy).field("deltaX", 0).field("deltaY", deltaY).endObject();
            j.endArray().endObject().endArray().endObject();
        });
    }

    /** Types {@code text} into an input element. */
    void type(String element, String text) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/value",
                j -> j.beginObject().field("text", text).endObject());
    }

    /** @return a PNG of the page's viewport */
    byte[] screenshot() throws Exception {
        String b64 = (String) call("GET", "/session/" + session + "/screenshot", null).get("value");
        return java.util.Base64.getDecoder().decode(b64);
    }

    /** Sets the browser window's size. */
    void windowSize(int width, int height) throws Exception {
        call("POST", "/session/" + session + "/window/rect",
                j -> j.beginObject().field("width", width).field("height", height).endObject());
    }

    String text(String element) throws Exception {
        return (String) call("GET", "/session/" + session + "/element/" + element + "/text", null).get("value");
    }

    /** Runs {@code script} (a function body; {@code return} its result) in the page. */
    Object script(String script) throws Exception {
        return call("POST", "/session/" + session + "/execute/sync",
                j -> j.beginObject().field("script", script).name("args").beginArray().endArray().endObject()).get("value");
    }

    private Map<String, Object> call(String method, String path, Consumer<JsonWriter> body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            StringWriter s = new StringWriter();
            body.accept(new JsonWriter(s));
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(s.toString()));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return MiniJson.object(r.body());
    }

    @Override
    public void close() throws Exception {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } finally {
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        }
    }
}
