package dev.tokencache.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The textual settings after merging their sources, in rising precedence: defaults, a YAML
 * file, {@code TOKENCACHE_*} environment variables, flags. Unknown keys in a file are errors; unknown
 * environment variables are ignored (the environment is shared with other programs).
 */
public final class RawConfig {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

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
      root = YAML.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      problems.add("config: " + file + " (expected: a readable YAML file; it does not exist)");
      return this;
    } catch (IOException e) {
      problems.add("config: " + file + " (expected: a YAML file; " + firstLine(e.getMessage()) + ")");
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

  /** Merges {@code TOKENCACHE_*} variables of the given environment over the current values. */
  public RawConfig withEnvironment(Map<String, String> environment) {
    for (ConfigKey key : ConfigKeys.all()) {
      String value = environment.get(key.environmentName());
      if (value != null) {
        values.put(key.name(), value);
      }
    }
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
    if (ConfigKeys.find(name).isEmpty()) {
      problems.add(name + ": (expected: a known key; see docs/configuration.md)");
      return;
    }
    values.put(name, value);
  }

  /** The value of a key, or {@code null} when it has none. */
  public String get(String name) {
    return values.get(name);
  }

  /** Problems found while reading sources (unreadable file, unknown key). */
  List<String> problems() {
    return problems;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
