package app.candor.cli;

import app.candor.CommandServices;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** The rotation steps, in the only order that is safe at every point. */
public final class MasterKeyRotation {
  private MasterKeyRotation() {}

  /** Returns how many wrapped keys were re-encrypted. */
  public static int rotate(CommandServices.Keys keys) throws GeneralSecurityException, IOException {
    keys.masterKey().addPrimary();
    int count = keys.subjectKeys().rewrapAll();
    keys.masterKey().dropOldKeys();
    return count;
  }
}
