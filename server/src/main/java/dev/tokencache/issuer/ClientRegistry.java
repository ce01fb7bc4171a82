package dev.tokencache.issuer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokencache.config.ConfigException;
import dev.tokencache.config.YamlFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The issuer's clients, from a YAML file, from {@code id:secret:scope,scope} specs, or the built-in default set.
 *
 * <pre>
 * clients:
 *   - id: orders-service
 *     secret: change-me
 *     scopes: [orders.read, orders.write]
 * </pre>
 */
public final class ClientRegistry {
  /** The built-in clients, so that the issuer runs with no file. Development only. */
  public static final List<RegisteredClient> DEFAULTS = List.of(
      new RegisteredClient("demo-client", "demo-secret", Set.of("orders.read", "orders.write")),
      new RegisteredClient("reporting", "reporting-secret", Set.of("reports.read")));


  private final Map<String, RegisteredClient> clients = new LinkedHashMap<>();

  public ClientRegistry(Collection<RegisteredClient> clients) {
    clients.forEach(client -> this.clients.put(client.id(), client));
  }

  public static ClientRegistry defaults() {
    return new ClientRegistry(DEFAULTS);
  }

  public Optional<RegisteredClient> find(String id) {
    return Optional.ofNullable(clients.get(id));
  }

  public Collection<RegisteredClient> all() {
    return clients.values();
  }

  /** Parses {@code id:secret[:scope,scope...]}; the id and secret may not contain {@code :}. */
  public static RegisteredClient parseSpec(String spec) {
    String[] parts = spec.split(":", 3);
    if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new ConfigException("--client: <masked> (expected: id:secret or id:secret:scope,scope)");
    }
    Set<String> scopes = new LinkedHashSet<>();
    if (parts.length == 3) {
      for (String scope : parts[2].split("[, ]+")) {
        if (!scope.isEmpty()) {
          scopes.add(scope);
        }
      }
    }
    return new RegisteredClient(parts[0], parts[1], scopes);
  }

  /** Reads a YAML file of clients. */
  public static ClientRegistry fromYaml(Path file) {
    JsonNode root = YamlFiles.read("--clients", file);
    JsonNode list = root.get("clients");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ConfigException("--clients: " + file + " (expected: a YAML file with a non-empty 'clients' list)");
    }
    java.util.ArrayList<RegisteredClient> clients = new java.util.ArrayList<>();
    int index = 0;
    for (JsonNode node : list) {
      String id = node.path("id").asText("");
      String secret = node.path("secret").asText("");
      if (id.isEmpty() || secret.isEmpty()) {
        throw new ConfigException("--clients: " + file + " clients[" + index + "] (expected: an id and a secret)");
      }
      Set<String> scopes = new LinkedHashSet<>();
      node.path("scopes").forEach(scope -> scopes.add(scope.asText()));
      clients.add(new RegisteredClient(id, secret, scopes));
      index++;
    }
    return new ClientRegistry(clients);
  }
}
