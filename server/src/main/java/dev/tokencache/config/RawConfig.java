package dev.tokencache.config;

import org.jspecify.annotations.Nullable;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The textual settings after merging their sources, in rising precedence: defaults, a YAML
 * file, {@code TOKENCACHE_*} environment variables, flags. Unknown keys in a file are errors; unknown
 * environment variables are ignored (the environment is shared with other programs).
 */
public final class RawConfig {

  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  /** Named upstreams in the order they were first mentioned. */
  private final java.util.LinkedHashSet<String> upstreamNames = new java.util.LinkedHashSet<>();

  private RawConfig() {
    for (ConfigKey key : ConfigKeys.all()) {
      if (key.defaultValue() != null) {
        values.put(key.name(), key.defaultValue());
      }
    }
  }

  /** Defaults only. */
  public static RawConfig defaults() {
    return new RawConfig();
  }

  /** Merges a YAML file's keys (nested maps or dotted names) over the current values. */
  public RawConfig withYamlFile(Path file) {
    JsonNode root;
    try {
      root = YamlFiles.read("config", file);
    } catch (ConfigException e) {
      problems.add(e.getMessage());
      return this;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return this;
    }
    if (!root.isObject()) {
      problems.add("config: " + file + " (expected: a YAML mapping of settings)");
      return this;
    }
    flatten("", root);
    return this;
  }

  /**
   * Merges {@code TOKENCACHE_*} variables of the given environment over the current values, named upstreams
   * included: {@code TOKENCACHE_UPSTREAMS_<NAME>_TOKEN_URL} (the name in upper case, {@code _} for {@code -}).
   */
  public RawConfig withEnvironment(Map<String, String> environment) {
    for (ConfigKey key : ConfigKeys.all()) {
      String value = environment.get(key.environmentName());
      if (value != null) {
        values.put(key.name(), value);
      }
    }
    String prefix = "TOKENCACHE_UPSTREAMS_";
    new java.util.TreeMap<>(environment).forEach((variable, value) -> {
      if (!variable.startsWith(prefix)) {
        return;
      }
      String rest = variable.substring(prefix.length());
      String matched = null;
      for (String suffix : ConfigKeys.perUpstreamSuffixes()) { // the longest suffix wins: CONNECT_TIMEOUT over TIMEOUT
        String envSuffix = "_" + suffix.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
        if (rest.endsWith(envSuffix) && rest.length() > envSuffix.length()
            && (matched == null || suffix.length() > matched.length())) {
          matched = suffix;
        }
      }
      if (matched != null) {
        String envSuffix = matched.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
        String name = rest.substring(0, rest.length() - envSuffix.length() - 1)
            .toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        set(ConfigKeys.UPSTREAMS + "." + name + "." + matched, value);
      }
    });
    return this;
  }

  /** Merges values given by key name (from flags) over the current values. */
  public RawConfig withOverrides(Map<String, String> overrides) {
    overrides.forEach(this::set);
    return this;
  }

  private void flatten(String prefix, JsonNode node) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(name, value);
      } else if (value.isArray()) {
        List<String> items = new ArrayList<>();
        value.forEach(item -> items.add(item.asText()));
        set(name, String.join(",", items));
      } else if (value.isNull()) {
        values.remove(name);
      } else {
        set(name, value.asText());
      }
    }
  }

  private void set(String name, String value) {
    if (name.startsWith(ConfigKeys.UPSTREAMS + ".")) {
      String rest = name.substring(ConfigKeys.UPSTREAMS.length() + 1);
      int dot = rest.indexOf('.');
      String upstream = dot < 0 ? rest : rest.substring(0, dot);
      if (dot < 0 || ConfigKeys.perUpstream(rest.substring(dot + 1)).isEmpty()) {
        problems.add(name + ": (expected: upstreams." + upstream + ". followed by one of "
            + String.join(", ", ConfigKeys.perUpstreamSuffixes()) + ")");
        return;
      }
      upstreamNames.add(upstream);
      values.put(name, value);
      return;
    }
    if (ConfigKeys.find(name).isEmpty()) {
      problems.add(name + ": (expected: a known key; " + suggestion(name).map(known -> "did you mean " + known + "? ")
          .orElse("") + "see docs/configuration.md)");
      return;
    }
    values.put(name, value);
  }

  /**
   * The known key an unknown one was probably meant to be: the same once {@code _} is read as {@code -} and case is
   * ignored, or within two edits of one (a typo), when exactly one is that close.
   */
  static Optional<String> suggestion(String unknown) {
    String normalized = unknown.replace('_', '-').toLowerCase(java.util.Locale.ROOT);
    String best = null;
    int bestDistance = 3;
    boolean tie = false;
    for (ConfigKey key : ConfigKeys.all()) {
      int distance = key.name().equals(normalized) ? 0 : editDistance(normalized, key.name());
      if (distance < bestDistance) {
        best = key.name();
        bestDistance = distance;
        tie = false;
      } else if (distance == bestDistance) {
        tie = true;
      }
    }
    return best == null || tie ? Optional.empty() : Optional.of(best);
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * Every value as {@code key=value}, in documentation order, named upstreams last; secret values
   * {@code <masked>}, user information in URLs masked. For the start-up log line and {@code check-config}.
   */
  public String describe() {
    java.util.StringJoiner joined = new java.util.StringJoiner(", ");
    printable().forEach((name, value) -> joined.add(name + "=" + value));
    return joined.toString();
  }

  /** Every key that has a value, and its value as it may be printed (secrets and URL user information masked). */
  public Map<String, String> printable() {
    Map<String, String> printable = new LinkedHashMap<>();
    for (ConfigKey key : ConfigKeys.all()) {
      String value = values.get(key.name());
      if (value != null) {
        printable.put(key.name(), key.secret() ? "<masked>" : ConfigValues.maskUserInfo(value));
      }
    }
    values.forEach((name, value) -> {
      if (name.startsWith(ConfigKeys.UPSTREAMS + ".")) {
        String suffix = name.substring(name.indexOf('.', ConfigKeys.UPSTREAMS.length() + 1) + 1);
        boolean secret = ConfigKeys.perUpstream(suffix).map(ConfigKey::secret).orElse(true);
        printable.put(name, secret ? "<masked>" : ConfigValues.maskUserInfo(value));
      }
    });
    return printable;
  }

  /** The named upstreams, in the order they were first given. */
  public List<String> upstreamNames() {
    return List.copyOf(upstreamNames);
  }

  /**
   * The values one named upstream sees: every top-level value, with the upstream's own settings in place of the
   * {@code upstream.*} and {@code origin.*} keys they stand for.
   */
  RawConfig forUpstream(String name) {
    RawConfig scoped = new RawConfig();
    scoped.values.clear();
    scoped.values.putAll(values);
    String prefix = ConfigKeys.UPSTREAMS + "." + name + ".";
    values.forEach((key, value) -> {
      if (key.startsWith(prefix)) {
        ConfigKeys.perUpstream(key.substring(prefix.length())).ifPresent(k -> scoped.values.put(k.name(), value));
      }
    });
    return scoped;
  }

  /** Whether the named upstream sets {@code topLevelKey} itself (rather than inheriting it). */
  boolean upstreamSets(String name, String topLevelKey) {
    String suffix = topLevelKey.startsWith("upstream.") ? topLevelKey.substring("upstream.".length()) : topLevelKey;
    return values.containsKey(ConfigKeys.UPSTREAMS + "." + name + "." + suffix);
  }

  /** The value of a key, or {@code null} when it has none. */
  public @Nullable String get(String name) {
    return values.get(name);
  }

  /** Problems found while reading sources (unreadable file, unknown key). */
  List<String> problems() {
    return problems;
  }

}
