/**
 * Payment data: cards and bank accounts (encrypted with the person's key, the security code never
 * kept), a wallet on a double-entry ledger whose balances the database keeps from going below zero,
 * transfers with idempotency keys and two-phase holds, each scored for fraud with reasons a person
 * can read, and the payment category's part of privacy requests.
 */
@NullMarked
package app.candor.payment;

import org.jspecify.annotations.NullMarked;
