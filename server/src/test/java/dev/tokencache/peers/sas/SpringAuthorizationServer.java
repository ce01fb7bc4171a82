package dev.tokencache.peers.sas;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Spring Authorization Server, configured only through Spring Boot's properties: one client registered for
 * client_credentials with two scopes, accepting client_secret_basic and client_secret_post.
 */
@SpringBootApplication
public class SpringAuthorizationServer {
  public static final String CLIENT_ID = "orders-service";
  /** Holds the characters RFC 6749 §2.3.1 encoding is about. */
  public static final String CLIENT_SECRET = "s3+cr%t:x y";

  private final ConfigurableApplicationContext context;

  private SpringAuthorizationServer(ConfigurableApplicationContext context) {
    this.context = context;
  }

  public static SpringAuthorizationServer start() {
    String prefix = "spring.security.oauth2.authorizationserver.client.orders.registration.";
    Map<String, Object> properties = new HashMap<>();
    properties.put("server.port", "0");
    properties.put("server.address", "127.0.0.1");
    properties.put("spring.main.banner-mode", "off");
    properties.put("logging.level.root", "WARN");
    properties.put(prefix + "client-id", CLIENT_ID);
    properties.put(prefix + "client-secret", "{noop}" + CLIENT_SECRET);
    properties.put(prefix + "client-authentication-methods", "client_secret_basic,client_secret_post");
    properties.put(prefix + "authorization-grant-types", "client_credentials");
    properties.put(prefix + "scopes", "orders.read,orders.write");
    SpringApplication application = new SpringApplication(SpringAuthorizationServer.class);
    application.setDefaultProperties(properties);
    return new SpringAuthorizationServer(application.run());
  }

  public String tokenUrl() {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return "http://127.0.0.1:" + port + "/oauth2/token";
  }

  public String jwksUrl() {
    return tokenUrl().replace("/oauth2/token", "/oauth2/jwks");
  }

  public void stop() {
    context.close();
  }
}
