package app.candor.cli;

import app.candor.Candor;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** The rotation steps, in the only order that is safe at every point. */
public final class MasterKeyRotation {
  private MasterKeyRotation() {}

  /** Returns how many wrapped keys were re-encrypted. */
  public static int rotate(Candor candor) throws GeneralSecurityException, IOException {
    candor.masterKey().addPrimary();
    int count = candor.subjectKeys().rewrapAll();
    candor.masterKey().dropOldKeys();
    return count;
  }
}
