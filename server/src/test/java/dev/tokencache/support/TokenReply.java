package dev.tokencache.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.net.http.HttpResponse;

/** A response from the proxy with accessors for what the tests look at. */
public final class TokenReply {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final HttpResponse<String> response;

  TokenReply(HttpResponse<String> response) {
    this.response = response;
  }

  public int status() {
    return response.statusCode();
  }

  public String body() {
    return response.body();
  }

  public String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  public String cacheResult() {
    return header("X-Token-Cache");
  }

  public JsonNode json() {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String accessToken() {
    return json().path("access_token").asText(null);
  }

  public long expiresIn() {
    return json().path("expires_in").asLong(-1);
  }

  public String error() {
    return json().path("error").asText(null);
  }

  @Override
  public String toString() {
    return status() + " " + cacheResult() + " " + body();
  }
}
