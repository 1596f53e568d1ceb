package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pool hands out one instance per distinct string, forgets on request, and stays bounded. */
class StringPoolTest {
  @Test
  void equal_strings_share_one_instance_and_the_pool_starts_over_past_its_bound() {
    StringPool pool = new StringPool(2);
    String a = new String("chat.send");
    String again = new String("chat.send");
    assertThat(pool.intern(a)).isSameAs(a);
    assertThat(pool.intern(again)).isSameAs(a);
    pool.remove("chat.send");
    assertThat(pool.intern(again)).as("forgotten: the next one becomes it").isSameAs(again);
    pool.intern("maps");
    // Two strings held: the third clears the pool first, so the old instances are not returned.
    pool.intern("pay");
    String fresh = new String("chat.send");
    assertThat(pool.intern(fresh)).isSameAs(fresh);
  }
}
