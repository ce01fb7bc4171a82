package dev.tokencache.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build holds the line on the design: package dependencies point one way, time is read only through an
 * injected clock, and only the Redis tier imports the Redis client. Reads the main sources as text.
 */
class ArchitectureTest {
  private static final Path ROOT = Path.of("src/main/java/dev/tokencache");
  private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?dev\\.tokencache\\.([a-z.]+)\\.[A-Z]");

  /** Which packages each package may use. Anything else is a design change: change this table with it. */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("token", Set.of()),
      Map.entry("config", Set.of()),
      Map.entry("tracing", Set.of()),
      Map.entry("origin", Set.of()),
      Map.entry("request", Set.of("token")),
      Map.entry("upstream", Set.of("config", "token", "tracing")),
      Map.entry("cache", Set.of("token")),
      Map.entry("pipeline", Set.of("cache", "config", "token", "upstream")),
      Map.entry("cache.redis", Set.of("cache", "config", "origin", "token")),
      Map.entry("edge", Set.of()),
      Map.entry("http", Set.of("cache", "config", "edge", "pipeline", "request", "token", "tracing", "upstream")),
      Map.entry("observability", Set.of("cache", "config", "http", "pipeline", "upstream")),
      Map.entry("guard", Set.of("edge", "origin")),
      Map.entry("issuer", Set.of("config", "request", "token")),
      Map.entry("server", Set.of("cache", "cache.redis", "config", "edge", "http", "origin", "pipeline", "token", "tracing", "upstream")),
      Map.entry("demo", Set.of("config", "issuer", "server")),
      Map.entry("cli", Set.of("config", "demo", "edge", "guard", "issuer", "observability", "origin", "server", "tracing")));

  @Test
  void packageDependenciesPointOneWay() {
    Map<String, Set<String>> actual = new TreeMap<>();
    for (Path file : sources()) {
      String pkg = ROOT.relativize(file.getParent()).toString().replace('/', '.');
      Matcher matcher = IMPORT.matcher(read(file));
      while (matcher.find()) {
        if (!matcher.group(1).equals(pkg)) {
          actual.computeIfAbsent(pkg, p -> new TreeSet<>()).add(matcher.group(1));
        }
      }
    }
    actual.forEach((pkg, uses) -> assertThat(ALLOWED).as("known package %s", pkg).containsKey(pkg));
    actual.forEach((pkg, uses) -> assertThat(ALLOWED.get(pkg)).as("what %s may use", pkg).containsAll(uses));
  }

  @Test
  void logicNeverReadsTheWallClock() {
    for (Path file : sources()) {
      String text = read(file);
      assertThat(text).as(file.toString()).doesNotContain("Instant.now()", "System.currentTimeMillis()",
          "Clock.systemUTC()", "LocalDateTime.now()");
      if (text.contains("InstantSource.system()")) {
        assertThat(file.toString()).as("only the entry points choose the system clock").matches(".*/(cli|demo)/.*");
      }
    }
  }

  @Test
  void onlyTheRedisTierImportsTheRedisClient() {
    for (Path file : sources()) {
      if (read(file).contains("import io.vertx.redis.")) {
        assertThat(file.toString()).contains("/cache/redis/");
      }
    }
  }

  private static List<Path> sources() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
