-- The retention purge finds expired events by their UTC day, not their exact time. The index on
-- "at" took every new event into a random place among the last seconds' entries (events of
-- different people arrive seconds apart in time order), so each group commit rewrote dozens of its
-- pages: a third of the writer's work per event. Keyed by day, the entries of a day sit in arrival
-- order, so new ones are appended to the day's last page.
DROP INDEX usage_events_at;
CREATE INDEX usage_events_day ON usage_events ((at / 86400000));
