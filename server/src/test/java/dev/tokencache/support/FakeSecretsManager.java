package dev.tokencache.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local endpoint that speaks the Secrets Manager JSON protocol ({@code X-Amz-Target:
 * secretsmanager.GetSecretValue}) for one secret, so the real AWS SDK can be driven through a rotation. Signatures
 * are not checked.
 */
public final class FakeSecretsManager implements AutoCloseable {
  public static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:origin-AbCdEf";

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private volatile String current;
  private volatile String previous;
  public final AtomicInteger reads = new AtomicInteger();

  public FakeSecretsManager(String initial) throws Exception {
    this.current = initial;
    this.server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      reads.incrementAndGet();
      JsonObject ask = body.toJsonObject();
      String target = request.getHeader("X-Amz-Target");
      String stage = ask.getString("VersionStage", "AWSCURRENT");
      String value = "AWSPREVIOUS".equals(stage) ? previous : current;
      request.response().putHeader("Content-Type", "application/x-amz-json-1.1");
      if (!"secretsmanager.GetSecretValue".equals(target) || !ARN.equals(ask.getString("SecretId")) || value == null) {
        request.response().setStatusCode(400).putHeader("x-amzn-ErrorType", "ResourceNotFoundException")
            .end(new JsonObject().put("__type", "ResourceNotFoundException")
                .put("message", "Secrets Manager can't find the specified secret value for staging label: " + stage)
                .encode());
        return;
      }
      request.response().end(new JsonObject()
          .put("ARN", ARN).put("Name", "origin").put("SecretString", value)
          .put("VersionId", Integer.toHexString(value.hashCode()))
          .put("VersionStages", new JsonArray().add(stage))
          .put("CreatedDate", 1.7e9).encode());
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** What Secrets Manager's rotation does at its last step: the new value becomes AWSCURRENT. */
  public void rotateTo(String next) {
    previous = current;
    current = next;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
