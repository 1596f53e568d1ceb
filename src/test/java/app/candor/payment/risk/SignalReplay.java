package app.candor.payment.risk;

import app.candor.payment.risk.FraudSimulator.Dataset;
import app.candor.payment.risk.FraudSimulator.Transaction;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays simulated transactions in time order the way the live path sees transfers: each one is
 * scored from the daily totals of its customer and terminal as they stand before it, then added to
 * them; a fraud is reported {@value #REPORT_DELAY_DAYS} days after its transaction (the handbook's
 * delay) and only then counted in the totals of the transaction's day. Nothing from the future
 * reaches a score.
 */
public final class SignalReplay {

  /** When a fraud becomes known: the handbook's delay. */
  public static final int REPORT_DELAY_DAYS = AccountWindows.DELAY_DAYS;

  /** What is done with each replayed transaction of the chosen days. */
  @FunctionalInterface
  public interface Visitor {
    void visit(Transaction transaction, Signals signals);
  }

  private final Totals customers;
  private final Totals terminals;
  private final Dataset data;

  private SignalReplay(Dataset data) {
    this.data = data;
    int days = data.config().days();
    this.customers = new Totals(data.config().customers(), days);
    this.terminals = new Totals(data.config().terminals(), days);
  }

  /** Replays the dataset up to {@code toDay} (exclusive), visiting days from {@code fromDay}. */
  public static void replay(Dataset data, int fromDay, int toDay, Visitor visitor) {
    new SignalReplay(data).run(fromDay, toDay, visitor);
  }

  private void run(int fromDay, int toDay, Visitor visitor) {
    ArrayDeque<Transaction> unreported = new ArrayDeque<>();
    LocalDate start = data.config().start();
    for (Transaction t : data.transactions()) {
      if (t.day() >= toDay) {
        break;
      }
      while (!unreported.isEmpty()
          && unreported.peekFirst().seconds() + REPORT_DELAY_DAYS * 86_400 <= t.seconds()) {
        Transaction f = unreported.pollFirst();
        customers.frauds[f.customer()][f.day()]++;
        terminals.frauds[f.terminal()][f.day()]++;
      }
      if (t.day() >= fromDay) {
        LocalDate today = start.plusDays(t.day());
        FraudSimulator.Extras e = t.extras();
        Signals s =
            new Signals(
                t.amountMinor(),
                data.at(t),
                AccountWindows.of(customers.history(t.customer(), t.day(), start), today),
                AccountWindows.of(terminals.history(t.terminal(), t.day(), start), today),
                e.paymentMethodAge(),
                e.otherAccountsWithSameCard(),
                e.recipientAccountAge(),
                e.kmFromUsual());
        visitor.visit(t, s);
      }
      customers.add(t.customer(), t.day(), t.amountMinor());
      terminals.add(t.terminal(), t.day(), t.amountMinor());
      if (t.fraud()) {
        unreported.addLast(t);
      }
    }
  }

  /** Per account and day: the three numbers the live path stores. */
  private static final class Totals {
    final int[][] counts;
    final long[][] sums;
    final int[][] frauds;

    Totals(int accounts, int days) {
      counts = new int[accounts][days];
      sums = new long[accounts][days];
      frauds = new int[accounts][days];
    }

    void add(int account, int day, long amountMinor) {
      counts[account][day]++;
      sums[account][day] += amountMinor;
    }

    List<DayTotals> history(int account, int day, LocalDate start) {
      List<DayTotals> out = new ArrayList<>(AccountWindows.DAYS_NEEDED);
      for (int d = Math.max(0, day - AccountWindows.DAYS_NEEDED + 1); d <= day; d++) {
        if (counts[account][d] > 0) {
          out.add(
              new DayTotals(
                  start.plusDays(d), counts[account][d], sums[account][d], frauds[account][d]));
        }
      }
      return out;
    }
  }
}
