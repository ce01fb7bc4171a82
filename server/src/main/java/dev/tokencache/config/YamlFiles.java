package dev.tokencache.config;

import org.jspecify.annotations.Nullable;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the YAML files an operator writes (the configuration, the issuer's clients), with one error line that says
 * which of the usual mistakes it is: no such file, not readable, or a syntax error at {@code file:line:column}.
 * A key written twice in one mapping is a syntax error, never a silent last-one-wins.
 */
public final class YamlFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));

  private YamlFiles() {}

  /**
   * The document in {@code file}, or a {@link ConfigException} whose message starts with {@code setting}
   * (e.g. {@code config}, {@code --clients}). An empty file gives a missing node.
   */
  public static JsonNode read(String setting, Path file) {
    try {
      JsonNode root = YAML.readTree(Files.readString(file));
      return root == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : root;
    } catch (NoSuchFileException e) {
      throw new ConfigException(setting + ": " + file + " (expected: a readable YAML file; it does not exist)");
    } catch (AccessDeniedException e) {
      throw new ConfigException(setting + ": " + file + " (expected: a readable YAML file; permission denied)");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null || at.getLineNr() < 1 ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new ConfigException(setting + ": " + file + where + " (expected: a YAML file; "
          + firstLine(e.getOriginalMessage()) + ")");
    } catch (IOException e) {
      throw new ConfigException(setting + ": " + file + " (expected: a readable YAML file; "
          + firstLine(e.getMessage()) + ")");
    }
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
