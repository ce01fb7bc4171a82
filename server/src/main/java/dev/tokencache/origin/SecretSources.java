package dev.tokencache.origin;

import org.jspecify.annotations.Nullable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * Makes {@link SecretSource}s from their configured form:
 *
 * <ul>
 *   <li>{@code env:NAME}: an environment variable, read once (the environment cannot change);
 *   <li>{@code file:PATH}: a file's content without surrounding white space, re-read every second;
 *   <li>{@code aws-secretsmanager:ARN[#json-key]}: Secrets Manager's {@code AWSCURRENT} and
 *       {@code AWSPREVIOUS} versions, polled every {@code pollInterval}; with {@code #key}, the secret is a JSON
 *       object and the value is its member {@code key}. Region, credentials and endpoint come the AWS SDK's
 *       standard way ({@code AWS_REGION}, the default credentials chain, {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}
 *       or {@code AWS_ENDPOINT_URL}).
 * </ul>
 */
public final class SecretSources {
  static final Duration FILE_POLL = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private SecretSources() {}

  /**
   * @throws IllegalArgumentException naming the form expected when {@code spec} is none of them
   */
  public static SecretSource parse(String spec, Map<String, String> environment, Duration pollInterval,
      Duration previousGrace, InstantSource clock) {
    if (spec.startsWith("env:") && spec.length() > 4) {
      String name = spec.substring(4);
      return new SecretSource(spec, () -> new SecretVersions(
          SecretSource.nonEmpty(environment.get(name), "environment variable " + name), null),
          Duration.ZERO, previousGrace, clock);
    }
    if (spec.startsWith("file:") && spec.length() > 5) {
      Path path = Path.of(spec.substring(5));
      return new SecretSource(spec, () -> new SecretVersions(readFile(path, spec), null), FILE_POLL, previousGrace, clock);
    }
    if (spec.startsWith("aws-secretsmanager:") && spec.length() > 19) {
      String reference = spec.substring(19);
      int hash = reference.indexOf('#');
      String secretId = hash < 0 ? reference : reference.substring(0, hash);
      String jsonKey = hash < 0 ? null : reference.substring(hash + 1);
      return new SecretSource(spec, new SecretsManagerReader(spec, secretId, jsonKey), pollInterval, previousGrace, clock);
    }
    throw new IllegalArgumentException("expected env:NAME, file:PATH or aws-secretsmanager:ARN[#json-key]");
  }

  /**
   * Reads an {@code env:} or {@code file:} source once, now (blocking: start-up only).
   *
   * @throws SecretUnavailable when it cannot be read
   */
  public static String readOnce(String spec, Map<String, String> environment) {
    if (spec.startsWith("env:")) {
      return SecretSource.nonEmpty(environment.get(spec.substring(4)), "environment variable " + spec.substring(4));
    }
    return readFile(Path.of(spec.substring(5)), spec);
  }

  private static String readFile(Path path, String description) {
    try {
      return SecretSource.nonEmpty(Files.readString(path, StandardCharsets.UTF_8).strip(), description);
    } catch (NoSuchFileException e) {
      throw new SecretUnavailable(description + " does not exist");
    } catch (IOException e) {
      throw new SecretUnavailable(description + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Reads both stages of one secret; the SDK client is made on first use, on the worker thread. */
  private static final class SecretsManagerReader implements SecretReader {
    private final String description;
    private final String secretId;
    private final @Nullable String jsonKey;
    private @Nullable SecretsManagerClient client;

    SecretsManagerReader(String description, String secretId, @Nullable String jsonKey) {
      this.description = description;
      this.secretId = secretId;
      this.jsonKey = jsonKey;
    }

    @Override
    public synchronized SecretVersions read() {
      try {
        if (client == null) {
          client = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        }
        String current = value(client.getSecretValue(r -> r.secretId(secretId).versionStage("AWSCURRENT")));
        String previous;
        try {
          previous = value(client.getSecretValue(r -> r.secretId(secretId).versionStage("AWSPREVIOUS")));
        } catch (ResourceNotFoundException e) {
          previous = null; // never rotated yet
        }
        return new SecretVersions(current, previous);
      } catch (SdkException e) {
        throw new SecretUnavailable(description + " cannot be read (" + e.getClass().getSimpleName() + ")");
      }
    }

    private String value(GetSecretValueResponse response) {
      String text = response.secretString();
      if (text == null) {
        throw new SecretUnavailable(description + " has no string value");
      }
      if (jsonKey == null) {
        return SecretSource.nonEmpty(text.strip(), description);
      }
      try {
        JsonNode member = JSON.readTree(text).get(jsonKey);
        if (member == null || !member.isTextual()) {
          throw new SecretUnavailable(description + " has no string member " + jsonKey);
        }
        return SecretSource.nonEmpty(member.asText(), description);
      } catch (IOException e) {
        throw new SecretUnavailable(description + " is not a JSON object");
      }
    }
  }
}
