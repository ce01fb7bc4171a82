package dev.tokencache.cli;

import dev.tokencache.config.ConfigValuesAccess;
import dev.tokencache.issuer.ClientRegistry;
import dev.tokencache.issuer.IssuerServer;
import dev.tokencache.issuer.RegisteredClient;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tokencache issuer}: a local development authorization server. */
@Command(name = "issuer", mixinStandardHelpOptions = true,
    description = "Run a local development authorization server (client credentials, RS256 JWTs, JWKS).")
final class IssuerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"--host", "--server-host"}, defaultValue = "127.0.0.1",
      description = "address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = {"--port", "--server-port"}, defaultValue = "9000",
      description = "port (0: any free port; default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--token-lifetime", defaultValue = "1h", description = "access token lifetime (default: ${DEFAULT-VALUE})")
  String lifetime;

  @Option(names = "--issuer-url", description = "the iss claim and base of endpoint URLs (default: http://HOST:PORT)")
  String issuerUrl;

  @Option(names = "--clients", paramLabel = "FILE", description = "YAML file with a 'clients' list of id, secret, scopes")
  Path clientsFile;

  @Option(names = "--client", paramLabel = "ID:SECRET:SCOPES", description = "a client, e.g. svc:pw:a.read,a.write (repeatable)")
  List<String> clientSpecs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    IssuerServer.Options options = new IssuerServer.Options(host, port, lifetime(), issuerUrl, clients());
    Vertx vertx = Vertx.vertx();
    IssuerServer issuer;
    try {
      issuer = IssuerServer.start(vertx, options, InstantSource.system()).await(30, TimeUnit.SECONDS);
    } catch (Exception e) { // Future.await rethrows the bind failure itself, a checked exception included
      vertx.close();
      throw new ListenFailure("issuer listener", host, port, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("tokencache issuer " + issuer.issuer());
    out.println("  token endpoint  " + issuer.tokenUrl());
    out.println("  JWKS            " + issuer.issuer() + "/.well-known/jwks.json");
    out.println("  discovery       " + issuer.issuer() + "/.well-known/openid-configuration");
    out.println("  request counter " + issuer.issuer() + "/metrics");
    for (RegisteredClient client : options.clients().all()) {
      out.println("  client " + client.id() + " scopes " + String.join(" ", new java.util.TreeSet<>(client.scopes())));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
      stopped.countDown();
    }, "tokencache-issuer-shutdown"));
    stopped.await();
    return 0;
  }

  private Duration lifetime() {
    Duration parsed = ConfigValuesAccess.duration("--token-lifetime", lifetime);
    if (parsed.toSeconds() < 1) {
      throw new dev.tokencache.config.ConfigException("--token-lifetime: " + lifetime + " (expected: at least 1s)");
    }
    return parsed;
  }

  private ClientRegistry clients() {
    List<RegisteredClient> clients = new ArrayList<>();
    if (clientsFile != null) {
      clients.addAll(ClientRegistry.fromYaml(clientsFile).all());
    }
    clientSpecs.forEach(spec -> clients.add(ClientRegistry.parseSpec(spec)));
    return clients.isEmpty() ? ClientRegistry.defaults() : new ClientRegistry(clients);
  }
}
