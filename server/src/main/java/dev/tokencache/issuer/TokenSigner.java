package dev.tokencache.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.UUID;

/**
 * Signs access tokens with an RSA key made at start-up (RS256) and publishes its public half as a JWKS.
 * Thread-safe. Signing costs about a millisecond of CPU: call it off the event loop.
 */
final class TokenSigner {
  private final RSAKey key;
  private final RSASSASigner signer;

  TokenSigner() {
    try {
      this.key = new RSAKeyGenerator(2048)
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.RS256)
          .keyID(UUID.randomUUID().toString())
          .generate();
      this.signer = new RSASSASigner(key);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot make an RSA signing key", e);
    }
  }

  String sign(JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256)
        .keyID(key.getKeyID())
        .type(JOSEObjectType.JWT)
        .build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }

  /** The public JWKS document. */
  String jwks() {
    return new JWKSet(key.toPublicJWK()).toString();
  }
}
