package dev.tokencache.token;

import org.jspecify.annotations.Nullable;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A client-credentials token request in canonical form: whichever of the three ways the client used to
 * present its credentials and scope, two requests that mean the same thing are equal here.
 *
 * @param credentials the client's id and secret
 * @param scopes the requested scopes, ordered and without duplicates (empty: none requested)
 * @param parameters every other parameter ({@code resource}, {@code audience}, ...), ordered by name
 * @param clientAuthorization the client's own {@code Authorization} header when it used HTTP Basic, to be
 *     forwarded as it came; {@code null} when the credentials came in the body or query
 */
public record TokenRequest(
    ClientCredentials credentials,
    SortedSet<String> scopes,
    SortedMap<String, String> parameters,
    @Nullable String clientAuthorization) {

  public static final String GRANT_TYPE = "client_credentials";

  public TokenRequest {
    Objects.requireNonNull(credentials, "credentials");
    // copied (the caller's may change), except when empty: most requests carry no extra parameter
    scopes = scopes.isEmpty()
        ? java.util.Collections.emptySortedSet()
        : java.util.Collections.unmodifiableSortedSet(new TreeSet<>(scopes));
    parameters = parameters.isEmpty()
        ? java.util.Collections.emptySortedMap()
        : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(parameters));
  }

  /** The scopes joined by single spaces, in canonical order; empty when none were requested. */
  public String scope() {
    return String.join(" ", scopes);
  }

  /** The extra parameters, in canonical order. */
  public Map<String, String> extraParameters() {
    return parameters;
  }

  @Override
  public String toString() {
    return "TokenRequest[clientId=" + credentials.clientId() + ", scope=" + scope()
        + ", parameters=" + parameters.keySet() + "]";
  }
}
